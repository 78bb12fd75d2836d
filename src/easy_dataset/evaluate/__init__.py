"""Evaluation, the domain part: the kinds of test items, how a model is asked and scored on
them, the statistics over scores and votes, and preference pairs. No database here: the
services in `services/evaluation` load and store."""
