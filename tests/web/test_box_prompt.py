"""The box tool's prompt arithmetic: clicks and drags on the displayed photo become photo pixels."""
from stylelab.web.box_prompt import add_click, dragged_box


def test_a_drag_in_either_direction_becomes_a_box_in_photo_pixels():
    # the photo is shown at half size: 2 photo pixels per displayed pixel
    assert dragged_box("100,80,20,10", 2.0) == "40,20,200,160"
    assert dragged_box("20.4,10,100.6,80", 1.0) == "20,10,101,80"


def test_a_drag_without_four_numbers_sets_no_box():
    assert dragged_box("", 1.0) == "" and dragged_box("1,2,3", 1.0) == "" and dragged_box("a,b,c,d", 1.0) == ""


def test_two_clicks_make_a_box_and_later_clicks_mark_product_or_not():
    corner, box, include, exclude = add_click("Box corners", 50, 60, None, "", "", "")
    assert corner == (50, 60) and box == ""
    corner, box, include, exclude = add_click("Box corners", 10, 90, corner, box, include, exclude)
    assert corner is None and box == "10,60,50,90"
    _, _, include, exclude = add_click("Product", 30, 70, None, box, include, exclude)
    _, _, include, exclude = add_click("Not product", 12, 88, None, box, include, exclude)
    assert include == "30,70" and exclude == "12,88"
