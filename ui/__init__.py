"""The Streamlit user interface: widgets and calls into ``siteselect``, nothing else.

``app.py`` is the entry (page config, navigation, shared sidebar); ``ui/pages/`` holds one
script per view; the modules here hold what the pages share: the typed session state
(:mod:`ui.state`), the cached data (:mod:`ui.data`), the current run (:mod:`ui.context`) and
the sign-in gate (:mod:`ui.auth`).
"""
