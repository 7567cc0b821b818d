from rest_framework import serializers

from mrv.models import DeadlineRule, EmissionReport, Firm, InclusionThreshold, Market, MarketSector, RulePack


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = InclusionThreshold
        fields = ["amount", "unit", "combination", "first_year_offset", "last_year_offset"]


class MarketSectorSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MarketSector
        fields = ["sector", "allocation_method", "new_entrant_method", "benchmark", "output_unit"]


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlineRule
        fields = ["kind", "year_offset", "month", "day"]


class RulePackSerializer(serializers.ModelSerializer):
    thresholds = ThresholdSerializer(many=True, read_only=True)
    sectors = MarketSectorSerializer(many=True, read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)

    class Meta:
        model = RulePack
        exclude = ["id", "market"]


class MarketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Market
        fields = ["code", "name_zh", "name_en", "is_national", "first_compliance_year"]


class FirmSerializer(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Firm
        fields = ["id", "name", "credit_code", "market", "sector", "address", "is_active"]


class ReportSerializer(serializers.ModelSerializer):
    firm = serializers.PrimaryKeyRelatedField(read_only=True)
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = EmissionReport
        fields = ["id", "firm", "market", "year", "period", "status", "determined_emissions_tco2e", "updated_at"]
