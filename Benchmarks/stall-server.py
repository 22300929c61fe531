#!/usr/bin/env python3
"""HTTP/1.1 keep-alive server that answers every request at once with a tiny 200, except during
stall windows: every PERIOD seconds (measured with time.monotonic from server start) it stalls for
STALL seconds, and every response due in a window is held until the window ends.

Windows are [k*PERIOD, k*PERIOD + STALL) for k = 1, 2, ...  A request that arrives in a window is
answered at the window's end; requests behind it on the same connection stay in order.

Used by Benchmarks/load-bench.sh to show coordinated omission. Listens on 127.0.0.1 only.

  stall-server.py [--port 0] [--period 5] [--stall 0.5] [--ready-file FILE]

On start it prints one line to stderr (and to --ready-file, if given):
  ready port=PORT start_epoch=EPOCH period=P stall=S
where EPOCH is time.time() taken together with the monotonic origin. After each window it prints
  stall k=K window=[A,B) first_held=F released=R held=N connections=M
(seconds since start), i.e. the window it actually applied. Stdlib only; one asyncio loop;
sustains well over 1,000 req/s (several thousand on one core).
"""
import argparse
import asyncio
import sys
import time

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            b"Connection: keep-alive\r\n\r\nok\n")
CLOSE_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                  b"Connection: close\r\n\r\nok\n")


class Stalls:
    def __init__(self, loop, t0, period, stall):
        self.loop, self.t0, self.period, self.stall = loop, t0, period, stall
        self.windows = {}  # k -> dict(first=, held=, conns=set())

    def window_end(self, now):
        """Monotonic end of the window containing `now`, or None."""
        rel = now - self.t0
        k = int(rel // self.period)
        if k >= 1 and rel - k * self.period < self.stall:
            return k, self.t0 + k * self.period + self.stall
        return None

    def hold(self, conn, k, end, now):
        w = self.windows.get(k)
        if w is None:
            w = self.windows[k] = {"first": now - self.t0, "held": 0, "conns": set()}
            self.loop.call_at(end, self.release, k)
        w["held"] += 1
        w["conns"].add(conn)

    def release(self, k):
        now = self.loop.time()
        w = self.windows.pop(k)
        for conn in w["conns"]:
            conn.flush()
        a = k * self.period
        print(f"stall k={k} window=[{a:.3f},{a + self.stall:.3f}) first_held={w['first']:.4f} "
              f"released={now - self.t0:.4f} held={w['held']} connections={len(w['conns'])}",
              file=sys.stderr, flush=True)


class Conn(asyncio.Protocol):
    stalls = None

    def __init__(self):
        self.buf = b""
        self.held = []          # responses waiting for the current window to end
        self.close_after = False
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.transport = None

    def data_received(self, data):
        self.buf += data
        loop = self.stalls.loop
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i < 0:
                break
            head, self.buf = self.buf[:i], self.buf[i + 4:]
            close = b"connection: close" in head.lower()
            body = CLOSE_RESPONSE if close else RESPONSE
            now = loop.time()
            w = self.stalls.window_end(now)
            if w is not None:
                self.stalls.hold(self, w[0], w[1], now)
                self.held.append(body)
            elif self.held:
                self.held.append(body)  # stay behind responses still held (release not run yet)
            else:
                self.transport.write(body)
                if close:
                    self.transport.close()
                    return
            if close:
                self.close_after = True
                break

    def flush(self):
        if self.transport is None:
            self.held.clear()
            return
        if self.held:
            self.transport.write(b"".join(self.held))
            self.held.clear()
        if self.close_after:
            self.transport.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--period", type=float, default=5.0)
    ap.add_argument("--stall", type=float, default=0.5)
    ap.add_argument("--ready-file")
    args = ap.parse_args()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Conn, "127.0.0.1", args.port, backlog=4096, reuse_address=True)
    t0, epoch = loop.time(), time.time()   # loop.time() is time.monotonic()
    Conn.stalls = Stalls(loop, t0, args.period, args.stall)
    port = server.sockets[0].getsockname()[1]
    line = f"ready port={port} start_epoch={epoch:.6f} period={args.period} stall={args.stall}"
    print(line, file=sys.stderr, flush=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(line + "\n")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
