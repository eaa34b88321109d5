"""newswire: run a multilingual news agency end to end."""
