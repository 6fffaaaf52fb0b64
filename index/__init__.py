"""Index the reading list: load, chunk, embed, store and search. Never imports `bot`."""
