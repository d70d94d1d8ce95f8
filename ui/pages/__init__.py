"""One Streamlit page script per view, run by ``st.navigation`` from ``app.py``."""
