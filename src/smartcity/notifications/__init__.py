"""The outbox: messages to people (e-mail, SMS, console for the demo), delivered with retries after commit."""
