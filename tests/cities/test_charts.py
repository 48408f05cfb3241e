from cities.charts import bar_chart, nice_step, stacked_bar_chart


def test_nice_step_gives_round_whole_steps():
    assert [nice_step(value) for value in (0, 3, 5, 9, 30, 45, 170, 1000)] == [
        1, 1, 2, 5, 10, 20, 50, 500,
    ]  # fmt: skip


def test_bar_chart_heights_are_proportional_and_links_kept():
    chart = bar_chart([("2019", 2, "/a"), ("2020", 4, "/b"), ("2021", 0, "/c")], height=228)

    # plot from y=12 to y=200 (188 px) with a top of 4: 2 → 94 px, 4 → 188 px; zero draws nothing
    assert [(bar.label, bar.height, bar.y, bar.url) for bar in chart.bars] == [
        ("2019", 94.0, 106.0, "/a"),
        ("2020", 188.0, 12.0, "/b"),
    ]
    assert [tick.label for tick in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    assert [tick.label for tick in chart.x_ticks] == ["2019", "2020", "2021"]


def test_stacked_bar_chart_stacks_series_in_order():
    chart = stacked_bar_chart(
        ["2020"],
        [("in_person", "in person", [1], ["/p"]), ("online", "online", [3], ["/o"])],
        height=228,
    )

    assert [(bar.series, bar.y, bar.height) for bar in chart.bars] == [
        ("in_person", 153.0, 47.0),
        ("online", 12.0, 141.0),
    ]
    assert chart.legend == [("in_person", "in person"), ("online", "online")]


def test_fit_label_shortens_latin_and_cjk_labels():
    from cities.charts import fit_label

    assert fit_label("2020", 40) == "2020"
    assert fit_label("trade and investment", 60) == "trade and…"  # 54 px of room: nine letters
    assert fit_label("贸易与投资合作", 40) == "贸易与…"


def test_a_chart_with_linked_bars_is_a_group_of_links_not_an_image():
    linked = bar_chart([("Nara", 3, "/en/cities/nara/"), ("Yeosu", 1, "")])
    plain = bar_chart([("Nara", 3, ""), ("Yeosu", 1, "")])

    assert (linked.has_links, plain.has_links) == (True, False)
