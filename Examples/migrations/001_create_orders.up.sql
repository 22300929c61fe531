CREATE TABLE orders (id bigserial PRIMARY KEY, sku text NOT NULL, quantity int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
