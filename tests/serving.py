"""Start real production servers (gunicorn with gunicorn.conf.py) and RQ workers for tests, and talk to
them over HTTP like a browser would: cookies kept, CSRF tokens read from the forms."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRODUCTION_ENV = {
    "MAEUL_CONFIG": "production",
    "SECRET_KEY": "serving-test-secret-key-0123456789abcdef",
    "DATA_ENCRYPTION_KEY": "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoggedProcess:
    """A production process run from the project's root, its output going to a file the test can read."""

    stop_seconds: float = 30

    def __init__(self, command: list[str], log_path: Path, env: dict):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **PRODUCTION_ENV, **env},
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Server(LoggedProcess):
    """One gunicorn process (a "node") on a free port."""

    stop_seconds = 20

    def __init__(self, log_dir: Path, *, workers: int = 1, env: dict | None = None, name: str = "node"):
        self.port = free_port()
        super().__init__([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], log_dir / f"{name}-{self.port}.log",
                         {"BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers), **(env or {})})
        try:
            self._wait_until_up()
        except BaseException:
            self.process.kill()
            self.process.wait()
            self._log.close()
            raise

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log()}")
            try:
                status, _, _ = request("GET", f"{self.base}/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {seconds} s: {self.log()}")


def request(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        headers_out: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            headers_out.setdefault(name.lower(), []).append(value)
        return response.status, headers_out, response.read()
    finally:
        connection.close()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Browser:
    """Cookies shared across servers, as one browser behind a load balancer. Secure cookies are kept even
    over plain HTTP here: TLS ends at the proxy in production, which these tests stand in for."""

    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, url: str, *, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, response_headers, content = request(method, url, body=body, headers=headers)
        for cookie in response_headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in cookie.lower() or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return status, response_headers, content

    def get(self, url: str, **kwargs):
        return self.send("GET", url, **kwargs)

    def csrf_token(self, url: str) -> str:
        status, _, content = self.get(url)
        assert status == 200, (url, status)
        match = _CSRF.search(content.decode())
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post_form(self, url: str, data: dict, *, form_url: str | None = None, files: dict | None = None):
        fields = {"csrf_token": self.csrf_token(form_url or url), **data}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.send("POST", url, body=body, headers={"Content-Type": content_type})


def multipart(fields: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----maeul-test-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, mime) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {mime}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Worker(LoggedProcess):
    """`flask jobs worker` in its own process, as `make worker` runs it."""

    def __init__(self, log_dir: Path, *, env: dict | None = None, burst: bool = False, name: str = "worker"):
        command = [str(BIN / "flask"), "--app", "app", "jobs", "worker"] + (["--burst"] if burst else [])
        super().__init__(command, log_dir / f"{name}-{time.monotonic_ns()}.log", env or {})

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log.close()


def wait_for(condition, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
