#!/usr/bin/env python3
"""Capture the WebSocket request heads real browsers send (the fixtures
tests/fixtures/chromium-156.http and firefox-esr-153.http, behind
CHROMIUM_CAPTURED and FIREFOX_CAPTURED in tests/fixtures/mod.rs).

Serves a page on 127.0.0.1:9124 whose script runs
`new WebSocket("ws://127.0.0.1:9123/chat", ["chat", "superchat"])`, listens
on 127.0.0.1:9123 with a plain socket, and prints the bytes of the request
head each browser sends (escaped as a Rust byte string). Needs Debian's
`chromium` and `firefox-esr`; Chromium runs headless on its own, Firefox with
`--headless` and a scratch profile. Every wait is bounded (20 s a browser).

    python3 interop/capture/capture.py
"""
import http.server
import socket
import subprocess
import tempfile
import threading

PAGE = (b'<html><body><script>window.ws = new WebSocket('
        b'"ws://127.0.0.1:9123/chat", ["chat", "superchat"]);</script></body></html>')


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


def capture(browser_cmd):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 9123))
    listener.listen(1)
    listener.settimeout(20)
    proc = subprocess.Popen(browser_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn, _ = listener.accept()
        conn.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(4096)
            if not data:
                break
            head += data
        conn.close()
        return head
    finally:
        proc.kill()
        proc.wait()
        listener.close()


def main():
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 9124), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:9124/"
    with tempfile.TemporaryDirectory() as chrome_dir, tempfile.TemporaryDirectory() as ff_dir:
        browsers = {
            "chromium": ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                         f"--user-data-dir={chrome_dir}", url],
            "firefox-esr": ["firefox-esr", "--headless", "--no-remote", "--profile", ff_dir, url],
        }
        for name, cmd in browsers.items():
            head = capture(cmd)
            print(f"// {name}")
            text = head.decode("latin-1").replace("\r\n", "\\r\\n\\\n")
            print('b"' + text.removesuffix("\\\n") + '"')
    server.shutdown()


if __name__ == "__main__":
    main()
