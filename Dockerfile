# greenlight's container image: the static-stdlib release build of `greenlight` on Debian bookworm-slim.
#
#   docker build -t greenlight .
#   docker run --rm -v "$PWD:/work" greenlight check release.yaml --report-dir out
#   docker run --rm -p 8080:8080 greenlight serve ...      (the team server, listening on 8080)
#
# GitLab jobs (ci/gitlab/greenlight.gitlab-ci.yml) run in it with the entrypoint cleared.
# What was verified and what was not: docs/ci.md, "The image".

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# GRDB (the ledger's SQLite store) builds against the system's SQLite headers; the static Foundation's
# URLSession links libcurl (-lcurl needs libcurl.so, which only the -dev package has).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest first, so that a change to the sources does not fetch the dependencies again (resolving
# needs only the manifest).
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --static-swift-stdlib --product greenlight \
    && mkdir /out \
    && strip -o /out/greenlight "$(swift build -c release --static-swift-stdlib --show-bin-path)/greenlight"

FROM ${RUNTIME_IMAGE}
# What the binary loads beyond libc, libm, libgcc_s, libstdc++ and zlib, which the base image has (`ldd` on
# the static-stdlib build): libsqlite3.so.0 (the ledger's SQLite store) and libcurl.so.4 (Foundation's
# URLSession: evidence URLs, the router's admin client). ca-certificates: the trust store for HTTPS
# checks, PostgreSQL over TLS and the team server.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libcurl4 libsqlite3-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/greenlight greenlight \
    && mkdir /work && chown greenlight:greenlight /work
COPY --from=build /out/greenlight /usr/local/bin/greenlight
USER greenlight
WORKDIR /work
# `greenlight serve`, the team server.
EXPOSE 8080
ENTRYPOINT ["greenlight"]
CMD ["--help"]
