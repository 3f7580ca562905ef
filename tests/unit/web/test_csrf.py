"""CSRF tokens: HMAC of the browser's cookie, compared in constant time."""

from papertide.web.csrf import csrf_token, is_valid_csrf, new_presession

KEY = b"k" * 32


def test_csrf_token_is_stable_for_one_basis_and_differs_across_bases_and_keys():
    assert csrf_token(KEY, "a") == csrf_token(KEY, "a")
    assert csrf_token(KEY, "a") != csrf_token(KEY, "b")
    assert csrf_token(KEY, "a") != csrf_token(b"other key", "a")


def test_is_valid_csrf_accepts_a_token_of_any_given_cookie():
    token = csrf_token(KEY, "presession")
    assert is_valid_csrf(KEY, token, ["session", "presession"])
    assert not is_valid_csrf(KEY, token, ["session", None])


def test_is_valid_csrf_refuses_empty_tokens_and_missing_cookies():
    assert not is_valid_csrf(KEY, "", ["session"])
    assert not is_valid_csrf(KEY, csrf_token(KEY, ""), ["", None])


def test_new_presession_values_are_random_and_long():
    values = {new_presession() for _ in range(50)}
    assert len(values) == 50
    assert all(len(value) >= 32 for value in values)
