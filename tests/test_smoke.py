def test_home_page_is_served_in_vietnamese(client, site_root):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
