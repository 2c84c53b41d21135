"""Kakao and Naver for tests: one HTTP server on 127.0.0.1 speaking both providers' documented endpoints.

Kakao (OpenID Connect, https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api):
  GET  /oauth/authorize      -> 302 to redirect_uri with code and state (or error=access_denied)
  POST /oauth/token          -> {"token_type": "bearer", "access_token", "id_token", "expires_in", ...};
                                a used or unknown code: 400 {"error": "invalid_grant", "error_code": "KOE320"}
  GET  /.well-known/jwks.json
Naver (OAuth 2.0, https://developers.naver.com/docs/login/api/api.md):
  GET  /oauth2.0/authorize   -> 302 to redirect_uri with code and state (or error=access_denied)
  POST /oauth2.0/token       -> 200 {"access_token", "refresh_token", "token_type": "bearer", "expires_in": "3600"};
                                a used code: 200 {"error": "invalid_request", "error_description": ...}
  GET  /v1/nid/me            -> {"resultcode": "00", "message": "success", "response": {"id", ...}}

``mode`` changes what the next calls do: ok | deny (refused consent) | down (503 everywhere but authorize) |
slow (token endpoint answers after ``delay`` s) | bad_signature (id_token signed by another key with the
published kid) | bad_nonce (id_token with another nonce).
"""
from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.http_server import JSONHandler, LocalServer


class ProviderServer(LocalServer):
    def __init__(self):
        self.mode = "ok"
        self.delay = 0.0
        self.key = RSAKey.generate_key(2048, parameters={"kid": "kakao-key-1", "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "kakao-key-1", "use": "sig", "alg": "RS256"})
        self.clients = {"kakao": ("kakao-rest-key", "kakao-secret"), "naver": ("naver-client", "naver-secret")}
        self.people = {
            "kakao": {"sub": "3001234567", "nickname": "카카오주민", "email": "kakao.resident@example.kr"},
            "naver": {"id": "naver-id-AbC123", "nickname": "네이버주민", "name": "김네이버",
                      "email": "naver.resident@example.kr", "birthyear": "1985"},
        }
        self.codes: dict[str, dict] = {}    # code -> {provider, nonce, state, used}
        self.tokens: dict[str, str] = {}    # naver access token -> provider
        self.token_requests = 0
        self.lock = threading.Lock()
        server = self

        class Handler(JSONHandler):
            content_type = "application/json;charset=UTF-8"

            def _down(self):
                self._send(503, b"<html><body>503 Service Temporarily Unavailable</body></html>", "text/html")

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path in ("/oauth/authorize", "/oauth2.0/authorize"):
                    return self._authorize("kakao" if parts.path == "/oauth/authorize" else "naver", query)
                if server.mode == "down":
                    return self._down()
                if parts.path == "/.well-known/jwks.json":
                    return self._answer(200, KeySet([server.key]).as_dict(private=False))
                if parts.path == "/v1/nid/me":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if server.tokens.get(token) != "naver":
                        return self._answer(401, {"resultcode": "024", "message": "Authentication failed"})
                    return self._answer(200, {"resultcode": "00", "message": "success",
                                              "response": server.people["naver"]})
                return self._answer(404, {"error": "not_found"})

            def do_POST(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with server.lock:
                    server.token_requests += 1
                if server.mode == "slow":
                    time.sleep(server.delay)
                if server.mode == "down":
                    return self._down()
                if parts.path == "/oauth/token":
                    return self._kakao_token(form)
                if parts.path == "/oauth2.0/token":
                    return self._naver_token(form)
                return self._answer(404, {"error": "not_found"})

            def _authorize(self, provider, query):
                redirect_uri, state = query.get("redirect_uri", ""), query.get("state", "")
                if query.get("client_id") != server.clients[provider][0] or query.get("response_type") != "code":
                    return self._answer(400, {"error": "invalid_request"})
                if server.mode == "deny":
                    params = {"error": "access_denied", "error_description": "User denied access", "state": state}
                else:
                    code = secrets.token_urlsafe(16)
                    with server.lock:
                        server.codes[code] = {"provider": provider, "nonce": query.get("nonce"), "state": state,
                                              "redirect_uri": redirect_uri, "used": False}
                    params = {"code": code, "state": state}
                self.send_response(302)
                self.send_header("Location", f"{redirect_uri}?{urlencode(params)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _take_code(self, provider, form):
                with server.lock:
                    entry = server.codes.get(form.get("code", ""))
                    if (entry is None or entry["used"] or entry["provider"] != provider
                            or (form.get("client_id"), form.get("client_secret")) != server.clients[provider]):
                        return None
                    entry["used"] = True
                    return entry

            def _kakao_token(self, form):
                if form.get("grant_type") != "authorization_code":
                    return self._answer(400, {"error": "unsupported_grant_type", "error_code": "KOE001"})
                entry = self._take_code("kakao", form)
                if entry is None or form.get("redirect_uri") != entry["redirect_uri"]:
                    described = f"authorization code not found for code={form.get('code')}"
                    return self._answer(400, {"error": "invalid_grant", "error_code": "KOE320",
                                              "error_description": described})
                now = int(time.time())
                person = server.people["kakao"]
                claims = {"iss": "https://kauth.kakao.com", "aud": server.clients["kakao"][0], "sub": person["sub"],
                          "iat": now, "exp": now + 7200, "auth_time": now,
                          "nonce": "someone-else" if server.mode == "bad_nonce" else entry["nonce"],
                          "nickname": person["nickname"], "email": person.get("email")}
                key = server.rogue_key if server.mode == "bad_signature" else server.key
                id_token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
                return self._answer(200, {"token_type": "bearer", "access_token": secrets.token_urlsafe(20),
                                          "id_token": id_token, "expires_in": 21599, "scope": "openid",
                                          "refresh_token": secrets.token_urlsafe(20),
                                          "refresh_token_expires_in": 5183999})

            def _naver_token(self, form):
                entry = self._take_code("naver", form)
                if entry is None or form.get("state") != entry["state"]:
                    return self._answer(200, {"error": "invalid_request",
                                              "error_description": "no valid data in session"})
                token = secrets.token_urlsafe(20)
                with server.lock:
                    server.tokens[token] = "naver"
                return self._answer(200, {"access_token": token, "refresh_token": secrets.token_urlsafe(20),
                                          "token_type": "bearer", "expires_in": "3600"})

        super().__init__(Handler)
