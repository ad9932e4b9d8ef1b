"""The seed article's experiments, reproduced with real containers.

``scenarios`` says what each experiment runs and what the article saw;
``build`` makes the images offline; ``run`` drives a prober that the CLI
injects (the podman session), so this package stays free of the runners.
"""
