"""The email channel's pure layer: bytes in, plain Python values out.

Nothing here touches the database or the network, so every module can be tested with a
file of bytes:

- ``parsing``: ``parse_message(raw) -> ParsedMail`` — MIME walking, charset repair,
  attachments, sanitised HTML; raises only ``UnparseableMail``.
- ``quoting``: ``split_reply(text) -> Reply`` — the new text versus quoted history and
  signature.
- ``autoreply``: ``classify(parsed) -> MailKind`` and ``bounce_info(parsed)``.
- ``model``: the frozen dataclasses ``parse_message`` returns.
- ``mime``, ``message_util``: the MIME walk behind ``parse_message``.
- ``charsets``, ``headers``, ``transfer``, ``html_text``: the decoding helpers they share.
"""
