"""The domain: every state change of tp-bridge is decided here, without Flask or HTTP."""
