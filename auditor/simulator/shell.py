"""The simulated CLI of one session: prompts, commands, paging, enable, config mode and faults.

Generic over platforms: what a platform says and accepts comes from its `PlatformProfile`.
"""

from __future__ import annotations

import asyncio
import hmac
import math
from dataclasses import dataclass
from typing import Any

from .faults import SLOW_DELAY, SLOW_MAX_CHUNKS, SLOW_MIN_LINES_PER_CHUNK, Fault, garbage
from .grammar import Match, NoMatch, Token, apply_pipes, resolve, segments
from .profiles import Action, Command, Pipe, PipeKind, PlatformProfile, Where
from .terminal import Terminal


@dataclass
class DeviceState:
    """One simulated device, shared by its sessions (FortiOS console mode is device-wide)."""

    profile: PlatformProfile
    hostname: str
    config_text: str  # \n line ends
    set_config_text: str
    fault: Fault | None
    console_output: str


def to_crlf(text: str) -> str:
    """Text with the device's \\r\\n line ends (whatever it had before)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def split_lines(text: str) -> list[str]:
    """Lines of `text`, each with its \n (only \n ends a line: str.splitlines also splits at \f, \x1c...)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


class Shell:
    """Runs one interactive session of a simulated device."""

    def __init__(self, device: DeviceState, term: Terminal, username: str, secret: str) -> None:
        self.device = device
        self.profile = device.profile
        self.term = term
        self.username = username
        self.secret = secret
        self.privileged = self.profile.starts_privileged
        self.in_config = False
        self.section = ""
        self.page_length = self.profile.paging.default_length

    # -- rendering ---------------------------------------------------------------------------

    def _vars(self, args: tuple[str, ...] = (), **extra: str) -> dict[str, Any]:
        console = self.device.console_output
        return {
            "hostname": self.device.hostname,
            "username": self.username,
            "privilege": "15" if self.privileged else "1",
            "console_output": console,
            "console_show": "    set output standard\n" if console == "standard" else "",
            "arg": args[0] if args else "",
            "last": args[-1] if args else "",
            "section": self.section,
            **extra,
        }

    def _render(self, template: str, **extra: Any) -> str:
        return to_crlf(template.format_map(self._vars(**extra))) if template else ""

    def prompt(self) -> str:
        if self.in_config:
            template = self.profile.config_prompt
        elif self.privileged:
            template = self.profile.privileged_prompt
        else:
            template = self.profile.user_prompt
        return self._render(template)

    # -- the session ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Banner, then prompt / read / execute until logout or end of input."""
        self.term.write(self._render(self.profile.banner))
        while not self.term.closed:
            self.term.write(self.prompt())
            line = await self.term.read_line()
            if line is None or not await self.execute(line):
                return

    async def execute(self, line: str) -> bool:
        """Run one typed line; False ends the session."""
        if not line.strip():
            return True
        parts = segments(line)
        rules = [c for c in self.profile.commands if self._available(c)]
        found = resolve(rules, parts[0], line, self._segment_end(line, parts, 0))
        if isinstance(found, NoMatch) and self.in_config and self.profile.config_accepts_any:
            return True  # a configuration line: taken silently
        if isinstance(found, NoMatch):
            self._error(found, parts[0], line, first=True)
            return True
        pipes: list[tuple[PipeKind, str]] = []
        for n, seg in enumerate(parts[1:], start=1):
            piped: Match[Pipe] | NoMatch = resolve(self.profile.pipes, seg, line, self._segment_end(line, parts, n))
            if isinstance(piped, NoMatch):
                self._error(piped, seg, line, first=False)
                return True
            pipes.append((piped.rule.kind, piped.args[-1] if piped.args else ""))
        return await self._run(found.rule, found.args, pipes)

    def _available(self, cmd: Command) -> bool:
        if cmd.where is Where.ANY:
            return True
        if cmd.where is Where.CONFIG:
            return self.in_config and (not cmd.section or cmd.section == self.section)
        if self.in_config:
            return False
        return cmd.where is Where.EXEC or self.privileged

    @staticmethod
    def _segment_end(line: str, parts: list[list[Token]], n: int) -> int:
        if n + 1 < len(parts):
            nxt = parts[n + 1]
            # the `|` before segment n+1 is the last one before its first word
            limit = nxt[0].start if nxt else len(line)
            return line.rfind("|", 0, limit)
        return len(line)

    def _error(self, miss: NoMatch, tokens: list[Token], line: str, *, first: bool) -> None:
        p = self.profile
        if miss.index < len(tokens):
            offset, token = tokens[miss.index].start, tokens[miss.index].text
        else:
            offset, token = len(line.rstrip()) + 1, ""
        if miss.kind == "incomplete":
            template = p.error_incomplete
        elif miss.kind == "ambiguous" and p.error_ambiguous:
            template = p.error_ambiguous
        elif first and miss.index == 0:
            template = p.error_unknown_command
        else:
            template = p.error_bad_argument
        visible = self.prompt().replace("\r", "\n").rsplit("\n", 1)[-1]
        caret = " " * (len(visible) + offset) + "^"
        self.term.write(self._render(template, caret=caret, token=token, line=line.strip()))
        self.term.write(to_crlf(p.output_trailer))

    async def _run(self, cmd: Command, args: tuple[str, ...], pipes: list[tuple[PipeKind, str]]) -> bool:
        action = cmd.action
        if action in (Action.SHOW_CONFIG, Action.SHOW_SET_CONFIG):
            as_set = action is Action.SHOW_SET_CONFIG or any(k is PipeKind.DISPLAY_SET for k, _ in pipes)
            return await self._show_config(as_set, pipes)
        text = cmd.response.format_map(self._vars(args)) if cmd.response else ""
        if action is Action.ENABLE:
            return await self._enable()
        if action is Action.DISABLE:
            self.privileged = False
        elif action is Action.PAGE_LENGTH:
            self.page_length = int(args[0])
        elif action is Action.CONSOLE_OUTPUT:
            self.device.console_output = args[0]
        elif action in (Action.CONFIGURE, Action.END, Action.LOGOUT):
            # mode changes print their message as it is: no paging, no trailer
            self.term.write(to_crlf(text))
            self.in_config = action is Action.CONFIGURE
            self.section = cmd.section.format_map(self._vars(args)) if self.in_config else ""
            return action is not Action.LOGOUT
        await self._print(apply_pipes(text, pipes) if text else "", paged=(PipeKind.NO_MORE, "") not in pipes)
        return True

    async def _enable(self) -> bool:
        if self.privileged:
            return True
        for _ in range(self.profile.enable_attempts):
            self.term.write(self._render(self.profile.enable_prompt))
            typed = await self.term.read_line(echo=False)
            if typed is None:
                return False
            if hmac.compare_digest(typed.encode(), self.secret.encode()):
                self.privileged = True
                return True
        self.term.write(self._render(self.profile.enable_failed))
        return True

    # -- output ----------------------------------------------------------------------------------

    def _current_page_length(self) -> int:
        paging = self.profile.paging
        if paging.device_wide:
            return paging.default_length if self.device.console_output == "more" else 0
        return self.page_length

    async def _print(self, text: str, *, paged: bool = True) -> None:
        """Command output (then the platform's trailer), paged when paging is on."""
        if not text:
            return
        if not text.endswith("\n"):
            text += "\n"
        await self._paged(to_crlf(text), paged)
        self.term.write(to_crlf(self.profile.output_trailer))

    async def _paged(self, text: str, paged: bool) -> None:
        length = self._current_page_length() if paged else 0
        lines = split_lines(text) if length > 0 else []
        if len(lines) < length or length <= 0:
            self.term.write(text)
            await self.term.drain()
            return
        paging = self.profile.paging
        per_page = max(1, length - 1)
        shown = per_page
        self.term.write("".join(lines[:shown]))
        while shown < len(lines):
            self.term.write(paging.prompt)
            key = await self.term.read_key()
            if key is None:
                return
            self.term.write(paging.erase)
            if key == " ":
                step = per_page
            elif key in ("\r", "\n"):
                step = 1
            else:  # q, Ctrl-C or anything else stops the output
                return
            self.term.write("".join(lines[shown : shown + step]))
            shown += step

    async def _show_config(self, as_set: bool, pipes: list[tuple[PipeKind, str]]) -> bool:
        fault = self.device.fault
        if fault is Fault.GARBAGE:
            self.term.write_bytes(garbage(self.device.hostname))
            self.term.write(to_crlf(self.profile.output_trailer))
            return True
        text = self.device.set_config_text if as_set else self.device.config_text
        text = apply_pipes(text, pipes)
        if text and not text.endswith("\n"):
            text += "\n"
        if fault is Fault.DISCONNECT:
            lines = split_lines(to_crlf(text))
            self.term.write("".join(lines[: max(1, len(lines) // 2)]))
            await self.term.drain()
            await asyncio.sleep(0.05)
            self.term.abort()
            return False
        if fault is Fault.SLOW:
            await self._dribble(to_crlf(text))
            self.term.write(to_crlf(self.profile.output_trailer))
            return True
        await self._print(text, paged=(PipeKind.NO_MORE, "") not in pipes)
        return True

    async def _dribble(self, text: str) -> None:
        """The SLOW fault: a few lines at a time, with a pause before each piece."""
        lines = split_lines(text)
        per_chunk = max(SLOW_MIN_LINES_PER_CHUNK, math.ceil(len(lines) / SLOW_MAX_CHUNKS))
        for start in range(0, len(lines), per_chunk):
            await self.term.drain()
            await asyncio.sleep(SLOW_DELAY)
            if self.term.closed:
                return
            self.term.write("".join(lines[start : start + per_chunk]))
