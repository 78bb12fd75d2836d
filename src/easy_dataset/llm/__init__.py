"""Model access: OpenAI-compatible endpoints and the embedded model, behind one interface."""
