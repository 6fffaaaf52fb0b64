"""Tests of the Discord wire harness itself, with a tiny discord.py bot defined here."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from discord_fixtures import *  # noqa: F403 - fixtures
from discord_fixtures import (
    BotFailure,
    BotRunner,
    ExternalNetworkBlocked,
    NetworkGuard,
    RunningBot,
    pointed_at,
    run_bot,
)
from discord_standin import (
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    CommandNotAvailable,
    CommandNotSynced,
    DiscordStandin,
    UploadedFile,
)
from discord_routes import RouteTable, needs_spec
from openapi_validator import get_validator

TOPICS = ["Kant", "Kierkegaard", "Hume", "Hegel"]


class TinyBot(commands.Bot):
    """A minimal bot: slash commands, a context menu, a button, autocomplete and a DM echo."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None,
                         guild_ready_timeout=0.05)
        self.release = asyncio.Event()
        for command in (summary, ping, find, vote, reset, hold):
            self.tree.add_command(command)
        self.tree.add_command(app_commands.ContextMenu(name="Quote", callback=quote))

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        # Discord echoes the bot's own messages back: answering them would loop forever.
        if message.author == self.user or message.guild is not None:
            return
        files = [await attachment.to_file() for attachment in message.attachments]
        await message.channel.send(f"echo: {message.content}", files=files)


@app_commands.command(description="Summarise a topic (slowly).")
async def summary(interaction: discord.Interaction, topic: str) -> None:
    await interaction.response.defer(thinking=True)
    embed = discord.Embed(title=f"Summary of {topic}", description="A long answer.")
    await interaction.followup.send(embed=embed)


@app_commands.command(description="Answer at once.")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong", ephemeral=True)


@app_commands.command(description="Find a topic.")
async def find(interaction: discord.Interaction, query: str) -> None:
    await interaction.response.send_message(f"found {query}")


@find.autocomplete("query")
async def find_autocomplete(_interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.lower().startswith(current.lower())]


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Yes", custom_id="vote:yes")
    async def yes(self, interaction: discord.Interaction, _button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content="Thanks for voting", view=None)


@app_commands.command(description="Vote.")
async def vote(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Cast your vote", view=VoteView())


@app_commands.command(description="Admins only.")
@app_commands.default_permissions(manage_guild=True)
@app_commands.checks.has_permissions(manage_guild=True)
async def reset(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("reset done", ephemeral=True)


@reset.error
async def reset_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    if isinstance(error, app_commands.MissingPermissions):
        await interaction.response.send_message("not allowed", ephemeral=True)


@app_commands.command(description="Never answers (lets tests talk to the interaction themselves).")
async def hold(interaction: discord.Interaction) -> None:
    await interaction.client.release.wait()  # type: ignore[attr-defined]


async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"> {message.content}")


@pytest_asyncio.fixture
async def tiny(bot_runner: BotRunner) -> RunningBot:
    """The tiny bot, logged into the stand-in and ready."""
    return await bot_runner(TinyBot())


# ------------------------------------------------------------------ connection
async def test_login_identify_and_ready(standin: DiscordStandin, tiny: RunningBot) -> None:
    bot = tiny.bot
    assert bot.user is not None and bot.user.id == int(standin.bot_user["id"])
    guild = bot.get_guild(int(standin.guild_id))
    assert guild is not None and not guild.unavailable and guild.get_channel(int(standin.channel_id))
    first, second = standin.requests[0], standin.requests[1]
    assert (first.operation_id, second.operation_id) == ("get_my_user", "get_my_oauth2_application")
    assert first.authorization == f"Bot {standin.token}"
    identify = standin.gateway_frames.matching(lambda f: f.op == 2)[0]
    assert identify.data["intents"] == bot.intents.value
    assert "v=10" in standin.gateway_connections[0] and "encoding=json" in standin.gateway_connections[0]


async def test_command_sync_is_recorded_and_valid(standin: DiscordStandin, tiny: RunningBot) -> None:
    sync = await standin.wait_for_sync()
    assert set(sync.names) == {"summary", "ping", "find", "vote", "reset", "hold", "Quote"}
    put = await standin.wait_for_request("bulk_set_application_commands")
    assert put.status == 200 and not standin.violations
    ids = {c["name"]: c["id"] for c in sync.commands}
    await tiny.bot.tree.sync()
    assert {c["name"]: c["id"] for c in standin.command_syncs[-1].commands} == ids  # stable ids


async def test_bad_token_is_refused_at_login(standin: DiscordStandin) -> None:
    with pytest.raises(discord.LoginFailure):
        await run_bot(TinyBot(), standin, token="not-the-token")
    assert standin.requests[-1].status == 401


async def test_bad_token_is_refused_by_the_gateway(standin: DiscordStandin) -> None:
    bot = TinyBot()
    with pointed_at(standin):
        await bot.login(standin.token)
        bot.http.token = "not-the-token"  # IDENTIFY now carries a wrong token
        with pytest.raises(discord.ConnectionClosed) as closed:
            await bot.connect(reconnect=False)
        await bot.close()
    assert closed.value.code == 4004


# ---------------------------------------------------------------- interactions
async def test_guild_command_defers_then_follows_up(standin: DiscordStandin, tiny: RunningBot) -> None:
    interaction = await standin.send_slash_command("summary", {"topic": "Kant"})
    callback = await interaction.response()
    assert callback.type == 5 and callback.with_response
    followup = await interaction.message(contains="Summary of Kant")
    assert followup.kind == "followup" and followup.channel_id == standin.channel_id
    assert followup.embeds[0]["description"] == "A long answer."
    webhook_calls = standin.requests.matching(lambda r: r.path.startswith(("/interactions", "/webhooks")))
    assert webhook_calls and all(r.authorization is None for r in webhook_calls)


async def test_dm_command_answers_immediately(standin: DiscordStandin, tiny: RunningBot) -> None:
    interaction = await standin.send_dm_slash_command("ping")
    reply = await interaction.message()
    assert (reply.kind, reply.content, reply.ephemeral) == ("interaction_response", "pong", True)
    assert interaction.payload["context"] == 1 and "guild_id" not in interaction.payload
    assert reply.channel_id == standin.dm_channel_for(standin.default_user)["id"]


async def test_dm_echo_and_own_messages_ignored(standin: DiscordStandin, tiny: RunningBot) -> None:
    sent = await standin.send_dm_message("hello")
    assert sent.delivered
    reply = await standin.wait_for_message(contains="echo: hello", channel_id=sent.channel_id)
    assert reply.kind == "channel_message"
    await tiny.settle()  # the echo of the bot's reply has been processed too
    assert len(standin.requests.matching(lambda r: r.operation_id == "create_message")) == 1


async def test_dm_attachment_round_trip(standin: DiscordStandin, tiny: RunningBot) -> None:
    upload = UploadedFile("notes.txt", b"the reading list", "text/plain")
    await standin.send_dm_message("with a file", attachments=[upload])
    reply = await standin.wait_for_message(contains="echo: with a file")
    # The bot downloaded the file from the stand-in and uploaded it again (multipart payload_json).
    assert [(f.filename, f.data) for f in reply.files] == [("notes.txt", b"the reading list")]
    assert [a["filename"] for a in reply.message["attachments"]] == ["notes.txt"]


async def test_button_press_updates_the_message(standin: DiscordStandin, tiny: RunningBot) -> None:
    command = await standin.send_slash_command("vote")
    await command.message(contains="Cast your vote")
    press = await standin.send_button_press("vote:yes")
    assert (await press.response()).type == 7
    updated = await press.message(contains="Thanks for voting")
    assert updated.kind == "update_message" and updated.components == []


async def test_autocomplete_offers_choices(standin: DiscordStandin, tiny: RunningBot) -> None:
    interaction = await standin.send_autocomplete("find", {"query": "k"}, focused="query")
    callback = await interaction.response()
    assert callback.type == 8
    assert [c["name"] for c in callback.data["choices"]] == ["Kant", "Kierkegaard"]


async def test_message_context_menu(standin: DiscordStandin, tiny: RunningBot) -> None:
    interaction = await standin.send_message_command("Quote", "To be is to be perceived")
    reply = await interaction.message()
    assert reply.content == "> To be is to be perceived"


async def test_permissions_hide_command_and_bot_check_refuses(standin: DiscordStandin, tiny: RunningBot) -> None:
    with pytest.raises(CommandNotAvailable):
        await standin.send_slash_command("reset")
    with pytest.raises(CommandNotSynced):
        await standin.send_slash_command("no-such-command")
    forced = await standin.send_slash_command("reset", force=True)  # a server admin's override
    assert (await forced.message()).content == "not allowed"
    allowed = await standin.send_slash_command("reset", permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    assert (await allowed.message()).content == "reset done"
    moderator = standin.add_role("moderator", MANAGE_GUILD)
    by_role = await standin.send_slash_command("reset", roles=[moderator])
    assert (await by_role.message()).content == "reset done"


async def test_discord_interaction_rules(standin: DiscordStandin, tiny: RunningBot) -> None:
    interaction = await standin.send_slash_command("hold")
    api, app = standin.api_base, standin.application_id
    try:
        async with aiohttp.ClientSession() as http:
            followup = f"{api}/webhooks/{app}/{interaction.token}?wait=1"
            callback = f"{api}/interactions/{interaction.id}/{interaction.token}/callback"
            async with http.post(followup, json={"content": "too early"}) as early:
                assert (early.status, (await early.json())["code"]) == (404, 10015)
            async with http.post(callback, json={"type": 5}) as first:
                assert first.status == 204
            async with http.post(callback, json={"type": 5}) as second:
                assert (second.status, (await second.json())["code"]) == (400, 40060)
            async with http.post(followup, json={"content": "in time"}) as in_time:
                assert in_time.status == 200
            standin.token_lifetime = 0.0  # Discord: 15 minutes after the interaction, the token is dead
            async with http.patch(f"{api}/webhooks/{app}/{interaction.token}/messages/@original",
                                  json={"content": "too late"}) as edit:
                assert (edit.status, await edit.json()) == (401, {"message": "Invalid Webhook Token", "code": 50027})
            async with http.post(followup, json={"content": "too late"}) as late_followup:
                assert (late_followup.status, (await late_followup.json())["code"]) == (401, 50027)
            standin.callback_deadline = 0.0
            late = await standin.send_slash_command("hold")
            late_url = f"{api}/interactions/{late.id}/{late.token}/callback"
            async with http.post(late_url, json={"type": 5}) as expired:
                assert (expired.status, (await expired.json())["code"]) == (404, 10062)
    finally:
        tiny.bot.release.set()  # type: ignore[attr-defined]


async def test_a_channel_where_the_bot_may_not_post(standin: DiscordStandin, tiny: RunningBot) -> None:
    channel = tiny.bot.get_channel(int(standin.channel_id))
    assert isinstance(channel, discord.TextChannel)
    await channel.send("allowed")
    await standin.deny_bot(SEND_MESSAGES)
    await standin.sync_gateway()
    assert not channel.permissions_for(channel.guild.me).send_messages  # the overwrite reached the bot
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send("refused")
    assert (refused.value.status, refused.value.code) == (403, 50013)
    interaction = await standin.send_slash_command("hold")
    try:
        assert not int(interaction.payload["app_permissions"]) & SEND_MESSAGES
    finally:
        tiny.bot.release.set()  # type: ignore[attr-defined]
    await standin.deny_bot(VIEW_CHANNEL)
    with pytest.raises(discord.Forbidden) as hidden:
        await channel.send("hidden")
    assert hidden.value.code == 50001
    assert [m.content for m in standin.sent_messages] == ["allowed"]


# --------------------------------------------------------------- spec checking
@needs_spec
async def test_invalid_body_is_a_readable_spec_violation(standin: DiscordStandin, tiny: RunningBot) -> None:
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=int(standin.channel_id))
    with pytest.raises(discord.HTTPException) as refused:
        await tiny.bot.http.request(route, json={"embeds": [{"description": "x" * 5000}]})
    assert (refused.value.status, refused.value.code) == (400, 50035)
    messages = [str(v) for v in standin.take_violations()]
    assert len(messages) == 1
    assert "[create_message] body: embeds/0/description: maxLength=4096 (got 5000 characters)" in messages[0]


@needs_spec
async def test_misspelt_key_is_flagged_in_strict_mode(standin: DiscordStandin, tiny: RunningBot) -> None:
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=int(standin.channel_id))
    await tiny.bot.http.request(route, json={"content": "hi", "embeds": [{"titel": "typo"}]})  # Discord accepts
    (violation,) = standin.take_violations()
    assert not violation.rejected and "embeds/0: unevaluatedProperties" in violation.message
    assert "'titel'" in violation.message


@needs_spec
async def test_unimplemented_and_unknown_routes(standin: DiscordStandin) -> None:
    headers = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{standin.api_base}/guilds/{standin.guild_id}/bans") as missing:
            assert missing.status == 418
        async with http.get(f"{standin.api_base}/no/such/route") as unknown:
            assert unknown.status == 404 and unknown.headers["Content-Type"] == "application/json"
    where = sorted(v.where for v in standin.take_violations())
    assert where == ["route", "stand-in"]


async def test_without_the_spec_the_same_scenarios_run_on_the_route_table() -> None:
    """A fresh clone has no spec: the stand-in routes by its own table, and every body passes."""
    bare = DiscordStandin(validator=RouteTable())
    await bare.start()
    try:
        running = await run_bot(TinyBot(), bare)
        await bare.send_dm_message("hello")
        await bare.wait_for_message(contains="echo: hello")
        reply = await (await bare.send_dm_slash_command("ping")).message()
        assert reply.content == "pong"
        assert await running.stop() == []  # raises BotFailure on any bot error or violation
    finally:
        await bare.stop()
    assert {r.operation_id for r in bare.requests} >= {"get_my_user", "create_message", "create_interaction_response"}
    table = RouteTable()
    original = table.match("PATCH", "/api/v10/webhooks/1/abc/messages/@original")
    assert original is not None and original.operation.operation_id == "update_original_webhook_message"
    assert table.check_request("GET", "/no/such/route")[0] is None


@needs_spec
def test_validator_rules() -> None:
    validator = get_validator()
    original = validator.match("PATCH", "/api/v10/webhooks/1/abc/messages/@original")
    assert original is not None and original.operation.operation_id == "update_original_webhook_message"
    _, found = validator.check_request("POST", "/webhooks/1/abc", query={"wait": "1", "with_components": "0"},
                                       body={"content": "hi"})
    assert found == []
    _, found = validator.check_request("POST", "/webhooks/1/abc", query={"wiat": "1"}, body={"content": "hi"})
    assert [(v.where, v.rejected) for v in found] == [("query", False)]
    _, found = validator.check_request("POST", "/users/@me/channels", body={"recipient_id": 1234})
    assert found == []  # integer snowflakes are accepted, as by Discord
    _, found = validator.check_request("POST", "/interactions/1/abc/callback",
                                       body={"type": 4, "data": {"content": "x" * 2001}})
    assert [v.message for v in found] == ["data/content: maxLength=2000 (got 2001 characters)"]


# -------------------------------------------------------- rate limits, gateway
async def test_rate_limit_is_retried(standin: DiscordStandin, tiny: RunningBot) -> None:
    standin.inject_rate_limit("create_message", retry_after=0.05)
    await standin.send_dm_message("again")
    await standin.wait_for_message(contains="echo: again")
    statuses = [r.status for r in standin.requests if r.operation_id == "create_message"]
    assert statuses == [429, 200]


async def test_reconnect_resumes_the_session(standin: DiscordStandin, tiny: RunningBot) -> None:
    session = standin.session_id
    resumed = asyncio.ensure_future(tiny.bot.wait_for("resumed"))
    frame = await standin.force_reconnect()
    await asyncio.wait_for(resumed, 5)
    assert frame.data["session_id"] == session and frame.data["token"] == standin.token
    assert standin.gateway_connections[-1].startswith("/gateway/resume?")
    await standin.send_dm_message("still there?")
    await standin.wait_for_message(contains="echo: still there?")


async def test_events_during_reconnect_are_replayed(standin: DiscordStandin, tiny: RunningBot) -> None:
    start = await standin.request_reconnect()
    await standin.send_dm_message("sent during the gap")
    await standin.wait_for_resume(start=start)
    await standin.wait_for_message(contains="echo: sent during the gap")
    await tiny.settle()
    assert len(standin.sent_messages.matching(lambda m: "during the gap" in m.text)) == 1


# ------------------------------------------------------------ failure detection
@app_commands.command(description="Always fails.")
async def explode(_interaction: discord.Interaction) -> None:
    raise RuntimeError("boom in a slash command")


class BrokenBot(TinyBot):
    """Handlers raise: discord.py only logs such errors, the harness must fail the test."""

    def __init__(self) -> None:
        super().__init__()
        self.tree.add_command(explode)

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            raise RuntimeError("boom in on_message")


async def test_swallowed_bot_errors_fail_the_test(standin: DiscordStandin) -> None:
    running = await run_bot(BrokenBot(), standin)
    await standin.send_dm_message("explode")
    await standin.send_slash_command("explode")
    await running.settle()
    with pytest.raises(BotFailure) as failure:
        await running.stop()
    report = str(failure.value)
    assert "boom in on_message" in report and "boom in a slash command" in report
    assert "ERROR log discord.client" in report and "ERROR log discord.app_commands.tree" in report


# --------------------------------------------------------------------- network
async def test_network_guard_refuses_external_hosts(no_external_network: NetworkGuard,
                                                    standin: DiscordStandin) -> None:
    with pytest.raises(ExternalNetworkBlocked):
        socket.create_connection(("10.255.255.1", 80), timeout=2)
    with pytest.raises(ExternalNetworkBlocked):
        await asyncio.open_connection("10.255.255.1", 80)
    assert len(no_external_network.blocked) == 2
    _, writer = await asyncio.open_connection("127.0.0.1", standin.port)  # loopback still works
    writer.close()
    await writer.wait_closed()
