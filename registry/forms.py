from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import inputs
from mrv.models import OFFSET_TYPES
from registry import selectors
from registry.models import ALLOWANCE, UNIT_TYPES, Account, AllocationTable, CoverageChange

OFFSET_FIRST_VINTAGE = 2005  # CCER projects credit reductions from 2005 on
MAX_TONNES = 10**14 - 1  # the ledger's quantity column holds 14 digits

UNKNOWN_ACCOUNT = _("There is no firm holding account %(number)s in this market.")


class TransferForm(forms.Form):
    to_account = forms.CharField(label=_("receiving account number"), max_length=40)
    unit_type = forms.ChoiceField(label=_("unit"), choices=UNIT_TYPES, initial=ALLOWANCE)
    vintage = forms.IntegerField(
        label=_("vintage"), min_value=OFFSET_FIRST_VINTAGE, validators=[MaxValueValidator(inputs.last_year)]
    )
    project = forms.CharField(label=_("offset project (offsets only)"), max_length=60, required=False)
    quantity = forms.IntegerField(label=_("quantity (t)"), min_value=1, max_value=MAX_TONNES)
    price_cny_per_t = forms.DecimalField(
        label=_("price (CNY/t)"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    trade_date = forms.DateField(label=_("trade date"), initial=timezone.localdate, required=False)

    def __init__(self, *args, from_account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_account = from_account

    def clean_to_account(self) -> Account:
        number = self.cleaned_data["to_account"].strip()
        account = selectors.holding_account_by_number(market_id=self.from_account.market_id, number=number)
        if account is None:
            raise forms.ValidationError(UNKNOWN_ACCOUNT % {"number": number})
        return account


class TrustedAccountForm(forms.Form):
    account = forms.CharField(label=_("account number to trust"), max_length=40)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_account(self) -> Account:
        number = self.cleaned_data["account"].strip()
        found = (
            Account.objects.filter(number=number, market_id=self.account.market_id, kind=Account.Kind.HOLDING)
            .exclude(pk=self.account.pk)
            .first()
        )
        if found is None:
            raise forms.ValidationError(UNKNOWN_ACCOUNT % {"number": number})
        return found


class RepresentativeForm(forms.Form):
    user = forms.ModelChoiceField(label=_("person of the firm"), queryset=None)

    def __init__(self, *args, account: Account, **kwargs):
        from mrv.models import User

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(firm_id=account.firm_id, is_active=True).order_by("username")


class SurrenderForm(forms.Form):
    """One quantity field per unit the account holds (allowances of the year or earlier, offsets)."""

    def __init__(self, *args, holdings: list[dict], year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {}
        for row in holdings:
            if row["quantity"] <= 0 or row["vintage"] > year:
                continue
            name = f"u_{row['unit_type']}_{row['vintage']}_{row['project']}".replace(" ", "_")
            label = f"{row['unit_type']} {row['vintage']} {row['project']}".strip()
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=int(row["quantity"]),
                required=False,
                help_text=_("held: %(q)s t") % {"q": row["quantity"]},
            )
            self.units[name] = row

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.units):
            raise forms.ValidationError(_("Enter at least one quantity to surrender."))
        return cleaned

    def split(self) -> tuple[dict[int, Decimal], dict]:
        from registry.ledger import Unit

        allowances, offsets = {}, {}
        for name, row in self.units.items():
            quantity = self.cleaned_data.get(name)
            if not quantity:
                continue
            if row["unit_type"] == ALLOWANCE:
                allowances[row["vintage"]] = Decimal(quantity)
            else:
                offsets[Unit(row["unit_type"], row["vintage"], row["project"])] = Decimal(quantity)
        return allowances, offsets


class ComputeTableForm(forms.Form):
    year = forms.IntegerField(label=_("vintage year"), validators=inputs.year_validators())
    kind = forms.ChoiceField(label=_("kind"), choices=AllocationTable.Kind.choices)


class DecisionForm(forms.Form):
    decision_text = forms.CharField(
        label=_("enforcement decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TradeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV of settled trades"),
        help_text=_("UTF-8, with a header row of the columns named above the form."),
    )


class OffsetCreditForm(forms.Form):
    """Offset credits entering a firm's account (e.g. CCER moved in from the national registry)."""

    account = forms.CharField(label=_("firm holding account number"), max_length=40)
    offset_type = forms.ChoiceField(label=_("offset type"), choices=OFFSET_TYPES)
    project = forms.CharField(label=_("project"), max_length=60)
    vintage = forms.IntegerField(
        label=_("vintage"), min_value=OFFSET_FIRST_VINTAGE, validators=[MaxValueValidator(inputs.last_year)]
    )
    quantity = forms.IntegerField(label=_("quantity (t)"), min_value=1, max_value=MAX_TONNES)

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.market = market

    def clean_account(self) -> Account:
        number = self.cleaned_data["account"].strip()
        account = selectors.holding_account_by_number(market_id=self.market.pk, number=number)
        if account is None:
            raise forms.ValidationError(UNKNOWN_ACCOUNT % {"number": number})
        return account


class IssueForm(forms.Form):
    """Allowances issued to a firm outside an allocation table (e.g. from the reserve)."""

    account = forms.CharField(label=_("firm holding account number"), max_length=40)
    vintage = forms.IntegerField(label=_("vintage"), min_value=2013, max_value=2100)
    quantity = forms.IntegerField(label=_("quantity (t)"), min_value=1, max_value=10**13)

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.market = market

    def clean_account(self) -> Account:
        number = self.cleaned_data["account"].strip()
        account = selectors.holding_account_by_number(market_id=self.market.pk, number=number)
        if account is None:
            raise forms.ValidationError(UNKNOWN_ACCOUNT % {"number": number})
        return account


class SaleForm(IssueForm):
    """Allowances sold at auction (or a fixed price) from the market's auction account to a firm."""

    price_cny_per_t = forms.DecimalField(label=_("price (CNY/t)"), max_digits=10, decimal_places=2, min_value=0)


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    quantity = forms.IntegerField(
        label=_("tonnes to reverse"),
        min_value=1,
        max_value=10**13,
        required=False,
        help_text=_("A surrender may be reversed in part: give fewer tonnes than it retired. Empty: all of it."),
    )


class CoverageChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("change"), choices=CoverageChange.Kind.choices)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AccountCapsForm(forms.Form):
    max_transfer_t = forms.IntegerField(
        label=_("cap per transfer (t)"),
        min_value=0,
        max_value=10**13,
        required=False,
        help_text=_("Empty: the registry's default; 0: no cap."),
    )
    max_daily_transfer_t = forms.IntegerField(
        label=_("cap per day of transfers (t)"),
        min_value=0,
        max_value=10**13,
        required=False,
        help_text=_("Empty: the registry's default; 0: no cap."),
    )


class ProductionEntryForm(forms.Form):
    """The firm's output of the report year, entered with its annual report (an input of allocation)."""

    output = forms.DecimalField(
        label=_("output of the year (the sector's unit; MWh or GJ supplied for power, grid and heat)"),
        min_value=0,
        max_digits=16,
        decimal_places=3,
    )
    declared_tco2e = forms.DecimalField(
        label=_("self-declared allowance need (tCO2e), where the market asks for one"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0,
    )
    evidence = forms.FileField(
        label=_("evidence (production statistics, meter readings)"),
        required=False,
        help_text=_("Attached to the report's evidence."),
    )


class ProductionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel or CSV of production data"),
        help_text=_("A header row with the columns named above the form; one firm-year a row."),
    )
