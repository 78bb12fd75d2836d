"""easy-dataset: turn your own documents into instruction-tuning datasets."""

__version__ = "0.1.0"
