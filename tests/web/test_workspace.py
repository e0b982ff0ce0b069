"""Which workspace a request works in."""
from __future__ import annotations

from types import SimpleNamespace

from stylelab.store.workspaces import key_workspace, user_workspace
from stylelab.web.workspace import workspace_of


def test_each_kind_of_visitor_gets_its_own_workspace():
    """Account name, Hugging Face sign-in (Gradio keeps it in the session), kept key, or a fresh one."""
    def request(username=None, session="s1", headers=None, oauth=None):
        scope = {"session": {"oauth_info": {"userinfo": {"preferred_username": oauth}}}} if oauth else {}
        return SimpleNamespace(username=username, session_hash=session, headers=headers or {},
                               request=SimpleNamespace(scope=scope))

    assert workspace_of(request(username="alice")) == (user_workspace("alice"), "")
    assert workspace_of(request(oauth="alice")) == (user_workspace("alice", "hf"), "")
    assert workspace_of(request(oauth="alice"))[0] != user_workspace("alice")
    fresh, key = workspace_of(request(session="tab-1"))
    assert workspace_of(request(session="tab-1")) == (fresh, key)  # the same session keeps it
    assert workspace_of(request(session="tab-2"))[0] != fresh
    assert workspace_of(request(session="api", headers={"x-stylelab-workspace": key}))[0] == fresh
    assert workspace_of(request(session="reloaded"), browser_key=key) == (key_workspace(key), key)
