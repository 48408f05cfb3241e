from django import forms
from django.utils.translation import gettext_lazy as _

from cities.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("扬州, 揚州, 양저우, Yangzhou …")}
        ),
    )
