"""Companion package of the LSTM course."""
