"""Bodies keep their text and lose everything that could run or restyle the page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newswire.stories.sanitize import clean_body, clean_text


def test_allowed_markup_stays() -> None:
    html = (
        '<p>The <b>forum</b> <i>opened</i> in <a href="https://example.org/x">Baku</a>.</p>'
        "<ul><li>one</li></ul><blockquote><p>quoted</p></blockquote>"
    )
    assert clean_body(html) == (
        '<p>The <b>forum</b> <i>opened</i> in <a href="https://example.org/x" '
        'rel="noopener noreferrer">Baku</a>.</p><ul><li>one</li></ul>'
        "<blockquote><p>quoted</p></blockquote>"
    )


def test_scripts_frames_styles_and_handlers_go() -> None:
    html = (
        '<p onclick="steal()">Text<script>alert(1)</script></p>'
        '<iframe src="https://evil.example"></iframe><style>p{display:none}</style>'
        '<p><img src=x onerror="alert(2)">More <a href="javascript:alert(3)">link</a></p>'
    )
    assert clean_body(html) == '<p>Text</p><p>More <a rel="noopener noreferrer">link</a></p>'


def test_headlines_are_plain_text() -> None:
    assert clean_text("  <b>Flash:</b>   quake  <script>x()</script> felt ") == "Flash: quake felt"
    assert clean_text("Tom & Jerry < 3") == "Tom & Jerry < 3"
    assert clean_text("   ") is None


@given(
    st.text(
        alphabet=st.sampled_from(list("<>/=\"' abcdefghijklmnopscriptonerrorframe")), max_size=80
    )
)
def test_no_input_yields_a_script_or_a_handler(fragment: str) -> None:
    cleaned = clean_body(fragment).lower()
    assert "<script" not in cleaned
    assert "<iframe" not in cleaned
    assert " onerror=" not in cleaned
