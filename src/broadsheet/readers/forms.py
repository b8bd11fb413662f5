from __future__ import annotations

from django import forms

from broadsheet.core.text import has_visible_characters


class AppealForm(forms.Form):
    note = forms.CharField(
        max_length=500, label="Why should the moderators look again?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the moderators why they should look again."},
    )


class EditForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label="Your comment",
        error_messages={"required": "Write your comment before saving."},
    )

    def __init__(self, *args: object, max_length: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.max_length = max_length

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).strip()
        if not has_visible_characters(text):
            raise forms.ValidationError("Write something readers can see before saving.")
        if len(text) > self.max_length:
            raise forms.ValidationError(
                f"Your comment has {len(text):,} characters; the limit is "
                f"{self.max_length:,}. Shorten it and save again."
            )
        return text
