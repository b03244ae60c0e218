"""REST API of the loyalty app: the owner's (`owner.py`, below
`/api/v1/salons/<salon_slug>/loyalty/`) and the logged-in client's (`public.py`, below
`/api/v1/public/<salon_slug>/loyalty/`). Both are thin: they parse input, call the services of
`loyalty/services/` or the selectors of `loyalty/selectors.py`, and render."""
