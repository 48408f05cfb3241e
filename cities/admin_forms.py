"""Admin forms of the `cities` app that need more than the generated `ModelForm`."""

from django import forms

from exchangeportal.infra.optimistic import OptimisticLockFormMixin, loaded_version_field

from .models import FriendshipLink
from .services import TIE_CHANGED_MESSAGE


class FriendshipLinkAdminForm(OptimisticLockFormMixin, forms.ModelForm):
    """A tie's change form, refused when someone else saved the tie since it was opened."""

    loaded_version = loaded_version_field()
    conflict_message = TIE_CHANGED_MESSAGE

    class Meta:
        model = FriendshipLink
        # The admin passes the fields of its fieldsets; these are the same.
        fields = [
            "city_a",
            "label_a",
            "city_b",
            "label_b",
            "kind",
            "established_on",
            "established_precision",
            "date_basis",
            "status",
            "ended_on",
            "sources",
            "verified",
            *FriendshipLink.public_note.field_names,
            "note",
        ]
