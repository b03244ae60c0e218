"""The loyalty points report: every points ledger row of a salon, filtered, with each client's
running balance and the totals, on a dashboard page, in the owner API and as CSV / Excel files.

- `filters.py`   what can be filtered and sorted (shared by the page's form and the API)
- `selectors.py` the rows, their running balance and the totals
- `exports.py`   the columns of the files (written by `reports/exports.py`)
- `forms.py`, `views.py`, `api.py` the page, its "Add points" dialog and the API
"""
