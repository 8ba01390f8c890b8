from django.db import models


class BareRow(models.Model):
    """The reference insert: one row, no relations, no side effects."""

    subject = models.CharField(max_length=200)
    body = models.TextField()
    customer_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subject
