"""Enterprise credit-risk classes A–D (rulebook §9, RISK-01 … RISK-10; S-TJ28 五(六)–(八)).

Pure: dated risk models (`model`), the indicators they measure in a history (`measures`), the
scoring of one enterprise on a date (`scoring`), the special cases that re-score an enterprise
between yearly runs (`rescore`), and the run record with the digest of its inputs (`run`).
The class is internal (RISK-02): nothing here is read by a public view.
"""
