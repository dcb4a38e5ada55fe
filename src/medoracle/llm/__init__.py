"""Talking to a language model: an OpenAI-compatible client and the page-writing contract.

Nothing here decides what reaches a page: `medoracle.answer.written` hands the model
numbered evidence and `medoracle.cite` checks every statement it returns."""
