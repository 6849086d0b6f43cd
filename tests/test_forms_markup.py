"""The markup every form field gets from templates/_macros.html: what a screen reader is told."""

import re


def test_fields_without_errors_carry_no_empty_aria_attributes(client):
    body = client.get("/account/register?lang=en").get_data(as_text=True)
    assert "<input" in body
    assert '="None"' not in body and "aria-invalid" not in body


def test_a_field_in_error_points_to_its_message(client):
    response = client.post("/account/register?lang=en", data={"email": "not-an-address"})
    body = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="email"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="email-error"' in field
    assert 'id="email-error"' in body
    assert 'value="not-an-address"' in field  # what was typed is kept
