"""Everything Discord: the bot, its commands, buttons and rendering.

    app.py         bot assembly, `run(settings)`, the command tree's central error handler
    services.py    the dependencies built outside the bot and passed in (no Discord)
    asking.py      validation, rate limit, bounded answering off the event loop (no Discord)
    reindexing.py  one re-index at a time, progress from the build thread (no Discord)
    library.py     the reading list as the serving index holds it (no Discord)
    passages.py    a cited passage with its surroundings (no Discord)
    records.py     votes and /forget: database work a member asked for (no Discord)
    render.py      answers as embeds within Discord's limits
    cards.py       embeds for the reading list, a source, a passage, a re-index
    views.py       buttons that survive restarts (DynamicItem)
    replies.py     defer, send pages, private notes, errors with incident ids
    logs.py        the log filter that keeps the token out of logs
    cogs/          one feature per cog: ask, sources, admin, privacy
"""
