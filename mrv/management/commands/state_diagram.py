from django.core.management.base import BaseCommand

from mrv.state_diagram import DIAGRAMS, mermaid, workflow_markdown


class Command(BaseCommand):
    help = "Print the workflow state diagrams (Mermaid), drawn from the models' transitions."

    def add_arguments(self, parser):
        parser.add_argument("model", nargs="?", choices=sorted(DIAGRAMS), help="one diagram only")
        parser.add_argument("--markdown", action="store_true", help="the whole of docs/workflow.md")

    def handle(self, *args, model=None, markdown=False, **options):
        if markdown or model is None:
            self.stdout.write(workflow_markdown(), ending="")
        else:
            self.stdout.write(mermaid(DIAGRAMS[model]), ending="")
