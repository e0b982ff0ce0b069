"""Which workspace a request works in: the signed key it carries, never its session id."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from stylelab.errors import StyleLabError
from stylelab.store.workspaces import WorkspaceKeys, user_workspace
from stylelab.web.workspace import use_workspace_keys, workspace_of


def _request(username=None, session="s1", headers=None, oauth=None):
    scope = {"session": {"oauth_info": {"userinfo": {"preferred_username": oauth}}}} if oauth else {}
    return SimpleNamespace(username=username, session_hash=session, headers=headers or {},
                           request=SimpleNamespace(scope=scope))


@pytest.fixture()
def keys(tmp_path) -> WorkspaceKeys:
    keys = WorkspaceKeys(tmp_path)
    use_workspace_keys(keys)
    return keys


def test_each_kind_of_visitor_gets_its_own_workspace(keys):
    """Account name, Hugging Face sign-in (Gradio keeps it in the session), a key in the header or
    handed in with the event, or a fresh one."""
    assert workspace_of(_request(username="alice")) == (user_workspace("alice"), "")
    assert workspace_of(_request(oauth="alice")) == (user_workspace("alice", "hf"), "")
    assert workspace_of(_request(oauth="alice"))[0] != user_workspace("alice")
    fresh, key = workspace_of(_request(session="tab-1"))
    assert workspace_of(_request(session="api", headers={"x-stylelab-workspace": key})) == (fresh, key)
    assert workspace_of(_request(session="reloaded"), given_key=key) == (fresh, key)
    assert workspace_of(_request(session="tab-2"))[0] != fresh


def test_a_session_id_is_not_a_workspace(keys):
    """Issue #34, point 4: the client makes up its session id and it travels in URLs; reusing a
    victim's session id reached the victim's workspace."""
    victim, key = workspace_of(_request(session="victim-session"), given_key=keys.issue())
    thief, _ = workspace_of(_request(session="victim-session"))  # same session id, no key
    assert thief != victim
    assert workspace_of(_request(session="victim-session"))[0] != thief, "no key: a fresh workspace each time"
    assert workspace_of(_request(session="another-session"), given_key=key)[0] == victim, "the key is what counts"


def test_a_made_up_key_gets_a_sentence_in_the_header_or_with_the_event(keys):
    for request, given in ((_request(headers={"x-stylelab-workspace": "g" * 43}), None), (_request(), "g" * 43)):
        with pytest.raises(StyleLabError, match="not issued by this StyleLab"):
            workspace_of(request, given_key=given)
