"""`owncastctl federation post` over `POST /api/admin/federation/send`."""

from __future__ import annotations


def test_post_sends_the_text(fake, ctl):
    fake.route("POST", "/api/admin/federation/send", {"success": True, "message": "sent"})
    result = ctl("federation", "post", "Live at 8 #synth")
    assert result.exit_code == 0, result.stderr
    assert "posted to the Fediverse followers" in result.stdout
    assert fake.sent("POST", "/api/admin/federation/send") == [{"value": "Live at 8 #synth"}]


def test_post_while_federation_is_off_says_why(fake, ctl):
    fake.fail("POST", "/api/admin/federation/send", 400, "Federation is disabled")
    result = ctl("federation", "post", "hello")
    assert result.exit_code == 1
    assert "Federation is disabled" in result.stderr


def test_notifications_test_names_the_channels(fake, ctl):
    fake.route(
        "POST",
        "/api/admin/notifications/test",
        {"success": True, "message": "sent", "channels": ["discord", "browser", "fediverse"]},
    )
    result = ctl("notifications", "test")
    assert result.exit_code == 0, result.stderr
    assert "discord, browser, fediverse" in result.stdout
    assert len(fake.sent("POST", "/api/admin/notifications/test")) == 1
