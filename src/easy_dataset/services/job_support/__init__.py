"""What the generation and quality jobs share: the handler base for jobs that call a model,
item keys and scopes, and the estimate made before a job."""
