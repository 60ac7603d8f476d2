#!/usr/bin/python3
"""Forwards TCP from 127.0.0.1:LISTEN to 127.0.0.1:TARGET, delaying each direction by --delay-ms.

Simulates a network round trip of 2 x delay on loopback, where kernel netem is unavailable. Every
chunk read from one side is written to the other side no earlier than delay after it was read, so
latency is added without limiting bandwidth: bytes already in flight keep flowing (a pipelining client
gains, a lock-step client pays one round trip per command). Each direction buffers at most
--max-buffer bytes; beyond that it stops reading, and TCP flow control pushes back on the sender.

Serves any number of connections until killed (SIGTERM/SIGINT). Binds to loopback only.
"""

import argparse
import asyncio
import signal
import time


async def pump(reader, writer, delay, max_buffer):
    """Copies reader to writer, each chunk held until delay after it arrived; closes writer at EOF."""
    queue = asyncio.Queue()
    budget = asyncio.Semaphore(max(1, max_buffer // 65536))

    async def read_side():
        try:
            while True:
                await budget.acquire()
                data = await reader.read(65536)
                queue.put_nowait((time.monotonic() + delay, data))
                if not data:
                    return
        except (ConnectionError, asyncio.CancelledError):
            queue.put_nowait((time.monotonic() + delay, b""))

    async def write_side():
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
                budget.release()
        except ConnectionError:
            pass
        finally:
            try:
                if writer.can_write_eof():
                    writer.write_eof()
                else:
                    writer.close()
            except (ConnectionError, OSError):
                pass

    await asyncio.gather(read_side(), write_side())


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1 to accept on")
    ap.add_argument("--target", type=int, required=True, help="port on 127.0.0.1 to forward to")
    ap.add_argument("--delay-ms", type=float, default=25.0, help="delay per direction (default 25)")
    ap.add_argument("--max-buffer", type=int, default=64 << 20, help="bytes held per direction")
    args = ap.parse_args()
    delay = args.delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", args.target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, server_writer, delay, args.max_buffer),
            pump(server_reader, client_writer, delay, args.max_buffer),
        )
        client_writer.close()
        server_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
