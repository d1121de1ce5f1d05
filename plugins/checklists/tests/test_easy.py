"""What to bring in Leichte Sprache: what every visit needs, and each published checklist by its German title."""

from portal.testing import assert_easy_to_read


def test_the_easy_page_lists_every_published_checklist_by_its_german_title(client, parse, defaults):
    response = client.get("/en/checklists/leicht")
    page = parse(response)
    links = page.xpath("//section[@aria-labelledby='easy-lists']//a")
    titles = {link.text_content(): link.get("href") for link in links}
    index = parse(client.get("/de/checklists/"))
    for tile in index.xpath("//ul[@class='tiles']//a"):
        assert tile.get("href") in titles.values()
    assert titles
    assert all(href.startswith("/de/checklists/") for href in titles.values())
    assert "Ihr Einladungs-Schreiben. Das ist der Brief mit Ihrem Termin." in page.text_content()
    assert_easy_to_read(response.get_data(as_text=True))
