"""The video bridge: signalling relayed by the server, the SFU in worker processes."""
