"""The explorer builds API paths from IDs in the page's URL only after checking them: run in Node
on the explorer's own module (no browser needed), so it runs wherever Node is installed."""

from __future__ import annotations

import json

from tests.explorer.node import module, needs_node, run

pytestmark = needs_node

CASES = [
    ("/v1/refreshes", "run", "20260101T000000Z-abcdef"),
    ("/v1/feeders", "feeder", "90846a9265100bed291343121a7ce5d9"),
    ("/v1/refreshes", "run", "../../refreshData"),
    ("/v1/refreshes", "run", "20260101T000000Z-abcdef/../../../refreshData"),
    ("/v1/refreshes", "run", "20260101T000000Z-abcdef?x=1"),
    ("/v1/refreshes", "run", "%2e%2e%2frefreshData"),
    ("/v1/feeders", "feeder", "90846a9265100bed291343121a7ce5d9\n"),
    ("/v1/feeders", "feeder", ""),
]


def _id_paths() -> list[str]:
    """What the explorer's `idPath` makes of each case: the path, or `refused: <message>`."""
    return run(f"""
        import {{ idPath }} from {module("api.js")};
        const made = {json.dumps(CASES)}.map(([base, kind, id]) => {{
          try {{ return idPath(base, kind, id); }} catch (error) {{ return `refused: ${{error.message}}`; }}
        }});
        console.log(JSON.stringify(made));
    """)


def test_ids_from_the_page_url_never_become_other_paths():
    assert _id_paths() == [
        "/v1/refreshes/20260101T000000Z-abcdef",
        "/v1/feeders/90846a9265100bed291343121a7ce5d9",
        "refused: Not a run ID: ../../refreshData",
        "refused: Not a run ID: 20260101T000000Z-abcdef/../../../refreshData",
        "refused: Not a run ID: 20260101T000000Z-abcdef?x=1",
        "refused: Not a run ID: %2e%2e%2frefreshData",
        "refused: Not a feeder ID: 90846a9265100bed291343121a7ce5d9\n",
        "refused: Not a feeder ID: ",
    ]
