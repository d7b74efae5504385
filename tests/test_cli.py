from sdv_pillars.cli import main


def test_demo_prints_what_was_found_and_kept(capsys):
    assert main(["demo", "--rows", "600", "--samples", "1000", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "customer_type = CART(income)" in out
    assert "Rule compliance" in out and "Null rates, real vs synthetic" in out
    assert "MAR gradient of 'education'" in out


def test_bad_backbone_is_a_one_line_error(capsys):
    assert main(["demo", "--backbone", "nope", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sdv-pillars: error: Unknown backbone 'nope'")
