"""Outbound HTTP/1.1 for the high-volume senders (federation deliveries, the Chatwoot bridge):
a small keep-alive client on trio + h11 (:mod:`.client`), with httpx kept for proxies."""
