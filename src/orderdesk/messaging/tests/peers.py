"""The local peers the channels talk to in tests: a real SMTP server (aiosmtpd) and an HTTP
receiver standing for the SMS provider, both on loopback."""

import asyncio
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpPeer:
    """A real SMTP server; `mails` holds each accepted message, parsed."""

    def __init__(self) -> None:
        self.mails: list = []
        self.refuse: set[str] = set()
        self.sessions = 0  # MAIL FROM commands seen
        self.stall = 0.0  # seconds to wait before answering DATA (a slow server)
        peer = self

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                peer.sessions += 1
                envelope.mail_from = address
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in peer.refuse:
                    return "550 5.1.1 no such mailbox"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if peer.stall:
                    await asyncio.sleep(peer.stall)
                    if (
                        session.peer is None
                        or server.transport is None
                        or server.transport.is_closing()
                    ):
                        return "451 client gone"
                mail = message_from_bytes(envelope.original_content, policy=policy.default)
                peer.mails.append(mail)
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


class SmsPeer:
    """The generic HTTP SMS provider: records each request's JSON and headers; answers
    `status` (200 with `{"id": "prov-<n>"}` by default)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                peer.requests.append({"json": json.loads(body), "headers": dict(self.headers)})
                answer = json.dumps({"id": f"prov-{len(peer.requests)}"}).encode()
                self.send_response(peer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MobizonPeer:
    """A local stand-in for Mobizon's HTTP API (sendsmsmessage, getsmsstatus), answering as its
    public documentation shows; `code` is what sendsmsmessage answers, `states` what
    getsmsstatus reports per message id."""

    def __init__(self, api_key: str) -> None:
        self.requests: list[dict] = []
        self.code = 0
        self.states: dict[str, str] = {}
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                from urllib.parse import parse_qs, urlsplit

                url = urlsplit(self.path)
                query = parse_qs(url.query)
                form = parse_qs(
                    self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                )
                peer.requests.append({"path": url.path, "query": query, "form": form})
                if query.get("apiKey") != [api_key]:
                    answer = {"code": 8, "data": "", "message": "invalid apiKey"}
                elif url.path == "/service/message/sendsmsmessage":
                    n = len(peer.requests)
                    answer = {
                        "code": peer.code,
                        "data": {
                            "campaignId": str(1000 + n),
                            "messageId": str(5000 + n),
                            "status": 1,
                        }
                        if peer.code == 0
                        else "",
                        "message": "",
                    }
                elif url.path == "/service/message/getsmsstatus":
                    ids = form.get("ids[]", [])
                    answer = {
                        "code": 0,
                        "data": [
                            {"id": i, "status": peer.states.get(i, "ACCEPTD"), "segNum": "1"}
                            for i in ids
                        ],
                        "message": "",
                    }
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BotApiPeer:
    """A local stand-in for Telegram's Bot API (`/bot<token>/sendMessage`): records each
    message; answers as the Bot API does (`blocked`: 403, the customer blocked the bot)."""

    def __init__(self, token: str) -> None:
        self.sent: list[dict] = []
        self.blocked = False
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                if self.path != f"/bot{token}/sendMessage":
                    status, answer = (
                        404,
                        {"ok": False, "error_code": 404, "description": "Not Found"},
                    )
                elif peer.blocked:
                    status, answer = (
                        403,
                        {
                            "ok": False,
                            "error_code": 403,
                            "description": "Forbidden: bot was blocked by the user",
                        },
                    )
                else:
                    peer.sent.append(body)
                    status, answer = (
                        200,
                        {
                            "ok": True,
                            "result": {
                                "message_id": len(peer.sent),
                                "chat": {"id": body["chat_id"]},
                                "text": body["text"],
                            },
                        },
                    )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class GraphApiPeer:
    """A local stand-in for Meta's Graph API as the WhatsApp Cloud API uses it (`POST
    /<version>/<phone number id>/messages` with a bearer token): records each request; answers
    as the Cloud API documents (`{"messages": [{"id": "wamid..."}]}`), or `refusal` — a status
    and the Graph API's error object (e.g. 400, code 132001: no such template)."""

    def __init__(self, *, token: str, version: str, phone_number_id: str) -> None:
        self.requests: list[dict] = []
        self.refusal: tuple[int, dict] | None = None
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                if self.path != f"/{version}/{phone_number_id}/messages":
                    status, answer = 404, {"error": {"code": 803, "type": "OAuthException"}}
                elif self.headers.get("Authorization") != f"Bearer {token}":
                    status, answer = 401, {"error": {"code": 190, "type": "OAuthException"}}
                elif peer.refusal is not None:
                    status, answer = peer.refusal
                else:
                    peer.requests.append(body)
                    status, answer = (
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                            "messages": [{"id": f"wamid.TEST{len(peer.requests)}"}],
                        },
                    )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
