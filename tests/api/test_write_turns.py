"""``api.write_turns``: writes to one stream queue in this process; other streams do not wait;
nothing is kept once nobody waits."""

from __future__ import annotations

import asyncio

from api.write_turns import WriteTurns


async def test_writes_to_one_stream_take_turns_and_other_streams_do_not_wait() -> None:
    turns = WriteTurns()
    inside: dict[str, int] = {}
    most: dict[str, int] = {}
    order: list[str] = []

    async def write(stream: str, name: str) -> None:
        async with turns.turn(stream):
            inside[stream] = inside.get(stream, 0) + 1
            most[stream] = max(most.get(stream, 0), inside[stream])
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")
            inside[stream] -= 1

    await asyncio.gather(
        *(write("programme:a", f"a{n}") for n in range(5)),
        *(write("programme:b", f"b{n}") for n in range(5)),
    )
    assert most == {"programme:a": 1, "programme:b": 1}
    a_steps = [step for step in order if step.startswith("a")]
    assert a_steps == [f"a{n} {way}" for n in range(5) for way in ("in", "out")]
    assert order[:2] == ["a0 in", "b0 in"]  # the two streams' first writes run together
    assert len(turns) == 0


async def test_a_write_cancelled_while_waiting_gives_up_its_place() -> None:
    turns = WriteTurns()
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with turns.turn("s"):
            first_in.set()
            await release.wait()

    async def waiter() -> None:
        async with turns.turn("s"):
            pass

    holding = asyncio.create_task(holder())
    await first_in.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    waiting.cancel()
    release.set()
    await holding
    assert waiting.cancelled()
    assert len(turns) == 0
    async with turns.turn("s"):  # the stream is free again
        assert len(turns) == 1
