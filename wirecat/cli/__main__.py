from wirecat.cli import app

app()
