"""What every app shares, below all of them: settings read from the environment, the one
input rule, the one upload policy, the errors a refused action raises and how the API and
the pages answer them, and the web helpers every app's views use. Nothing here imports an
app of the project."""
