"""A real SMTP server for the mail tests, built on aiosmtpd.

Listens on 127.0.0.1 (a free port), prints `READY <port>`, then one JSON
line per mail it accepts (`{"to", "from", "subject", "text", "html"}`)
and per mail it refuses (`{"refused": <code>, "to"}`), so a test can
read what the app sent. Behaviour:

  --temporary-failures N   answer 451 to the first N mails, then accept
  --temporary-prefix P     only mails to recipients starting with P get them
  --refuse-prefix P        answer 550 to recipients starting with P
"""

import argparse
import asyncio
import email
import email.policy
import json
import sys

from aiosmtpd.smtp import SMTP


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Sink:
    def __init__(self, temporary_failures, temporary_prefix, refuse_prefix):
        self.temporary_failures = temporary_failures
        self.temporary_prefix = temporary_prefix
        self.refuse_prefix = refuse_prefix

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_prefix and address.startswith(self.refuse_prefix):
            say(json.dumps({"refused": 550, "to": [address]}))
            return "550 5.1.1 No such mailbox here (test sink)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        delayed = all(to.startswith(self.temporary_prefix) for to in envelope.rcpt_tos)
        if self.temporary_failures > 0 and delayed:
            self.temporary_failures -= 1
            say(json.dumps({"refused": 451, "to": envelope.rcpt_tos}))
            return "451 4.3.0 Try again later (test sink)"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        say(
            json.dumps(
                {
                    "to": envelope.rcpt_tos,
                    "from": envelope.mail_from,
                    "subject": str(message["subject"]),
                    "text": text.get_content() if text else "",
                    "html": html.get_content() if html else "",
                }
            )
        )
        return "250 OK"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--temporary-failures", type=int, default=0)
    parser.add_argument("--temporary-prefix", default="")
    parser.add_argument("--refuse-prefix", default="")
    args = parser.parse_args()
    sink = Sink(args.temporary_failures, args.temporary_prefix, args.refuse_prefix)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test"), "127.0.0.1", 0
    )
    say(f"READY {server.sockets[0].getsockname()[1]}")
    # Ends when the test closes stdin (or kills it).
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
