from smartcity.lib import collation


def test_vietnamese_letters_follow_their_base_letter_not_z():
    words = ["Ứng Hòa", "Đống Đa", "Ô Chợ Dừa", "Zô", "Ơn", "Dương Nội", "Ong", "Âu", "Ăn", "Anh", "Uông", "Ê-đê", "Em"]
    assert collation.sort(words) == ["Anh", "Ăn", "Âu", "Dương Nội", "Đống Đa", "Em", "Ê-đê", "Ong", "Ô Chợ Dừa",
                                     "Ơn", "Uông", "Ứng Hòa", "Zô"]


def test_tones_decide_only_between_the_same_letters_in_the_order_of_the_alphabet_books():
    # không dấu, huyền, hỏi, ngã, sắc, nặng
    assert collation.sort(["má", "mạ", "mà", "mã", "ma", "mả"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert collation.sort(["Hai Bà Trưng", "Hà Đông", "Hoàng Mai"]) == ["Hà Đông", "Hai Bà Trưng", "Hoàng Mai"]


def test_sort_takes_a_key_and_a_direction():
    rows = [{"name": "Đông Anh"}, {"name": "Ba Vì"}, {"name": "Dương Nội"}]
    assert [r["name"] for r in collation.sort(rows, by=lambda r: r["name"])] == ["Ba Vì", "Dương Nội", "Đông Anh"]
    assert collation.sort(["b", "a"], reverse=True) == ["b", "a"]
