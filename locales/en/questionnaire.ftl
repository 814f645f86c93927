# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = How should we treat your identity?
q-anonymity-help = You can choose. Whatever you choose, your report is encrypted before it is stored.
q-anonymity-opt-anonymous = Anonymous: do not ask who I am. Nobody will know my name.
q-anonymity-opt-confidential = Confidential: I may give my name and contact, but only a few trusted reviewers may see them, and they are never shared.
q-anonymity-opt-consented = Consented: I may give my name and contact, and I may allow them to be shared with the UN.

q-reporter_relationship = Who are you in relation to the person at risk?
q-reporter_relationship-opt-self = I am the person at risk
q-reporter_relationship-opt-family = A family member
q-reporter_relationship-opt-colleague = A colleague
q-reporter_relationship-opt-organisation = An organisation
q-reporter_relationship-opt-lawyer = A lawyer
q-reporter_relationship-opt-witness = A witness
q-reporter_relationship-opt-other = Other

q-victim_type = Who was targeted?
q-victim_type-help = Choose all that apply.
q-victim_type-opt-defender = Human rights defender
q-victim_type-opt-journalist = Journalist
q-victim_type-opt-lawyer = Lawyer
q-victim_type-opt-victim_or_witness = Victim or witness of a violation
q-victim_type-opt-relative = Relative of a defender or victim
q-victim_type-opt-ngo = Non-governmental organisation
q-victim_type-opt-community = Community or group
q-victim_type-opt-indigenous_representative = Indigenous peoples' representative
q-victim_type-opt-trade_unionist = Trade unionist
q-victim_type-opt-nhri = National human rights institution
q-victim_type-opt-un_staff = UN staff member
q-victim_type-opt-other = Other

q-country = In which country did it happen?

q-locality = Town or region (optional)
q-locality-help = A small place can identify you. Leave it empty if unsure.

q-incident_date = When did it happen? (optional)
q-incident_date-help = Give only what you know: the year, the month or the exact day.
q-incident_date-year = Year
q-incident_date-month = Month
q-incident_date-day = Day
q-incident_date-precision = How sure are you of this date?
q-incident_date-precision-exact = Exact
q-incident_date-precision-estimate = An estimate
q-incident_date-precision-unknown = I do not know

q-ongoing = Is it still happening?
q-ongoing-opt-yes = Yes
q-ongoing-opt-no = No
q-ongoing-opt-unknown = I do not know

q-reprisal_types = What happened?
q-reprisal_types-help = Choose all that apply.
q-reprisal_types-opt-threats_harassment = Threats or harassment
q-reprisal_types-opt-death_threat = Death threat
q-reprisal_types-opt-smear_campaign = Smear campaign
q-reprisal_types-opt-online_harassment = Online harassment
q-reprisal_types-opt-hacking_cyberattack = Hacking or cyberattack
q-reprisal_types-opt-physical_surveillance = Physical surveillance
q-reprisal_types-opt-digital_surveillance = Digital surveillance
q-reprisal_types-opt-travel_ban = Travel ban
q-reprisal_types-opt-judicial_harassment = Judicial harassment or prosecution
q-reprisal_types-opt-arbitrary_detention = Arbitrary arrest or detention
q-reprisal_types-opt-house_arrest = House arrest
q-reprisal_types-opt-enforced_disappearance = Enforced disappearance
q-reprisal_types-opt-torture_ill_treatment = Torture or ill-treatment
q-reprisal_types-opt-physical_attack = Physical attack
q-reprisal_types-opt-killing = Killing
q-reprisal_types-opt-raid_search = Raid or search
q-reprisal_types-opt-confiscation_damage = Confiscation or damage of property
q-reprisal_types-opt-ngo_deregistration = Deregistration of an organisation
q-reprisal_types-opt-office_closure = Closure of an office
q-reprisal_types-opt-restrictive_legislation = Restrictive laws
q-reprisal_types-opt-fines_asset_freeze = Fines or frozen assets
q-reprisal_types-opt-dismissal_disbarment = Dismissal or disbarment
q-reprisal_types-opt-deportation_exile = Deportation or forced exile
q-reprisal_types-opt-deterred_from_cooperating = Stopped from cooperating with the UN
q-reprisal_types-opt-other = Other

q-un_engagement = Did this follow contact with the UN? Which part?
q-un_engagement-help = Choose all that apply.
q-un_engagement-opt-hrc_session = Human Rights Council session
q-un_engagement-opt-upr = Universal Periodic Review
q-un_engagement-opt-special_procedures = Special Rapporteurs or other special procedures
q-un_engagement-opt-treaty_body = A treaty body
q-un_engagement-opt-ohchr_presence = A UN human rights office
q-un_engagement-opt-un_country_team = The UN country team
q-un_engagement-opt-peace_operation = A UN peace operation
q-un_engagement-opt-commission_of_inquiry = A commission of inquiry
q-un_engagement-opt-security_council = The Security Council
q-un_engagement-opt-other_un_body = Another UN body
q-un_engagement-opt-none = None

q-un_engagement_detail = Details of the UN contact (optional)
q-un_engagement_detail-help = For example the session, the mandate or reference numbers.

q-perpetrator_types = Who was responsible?
q-perpetrator_types-help = Choose all that apply.
q-perpetrator_types-opt-police = Police
q-perpetrator_types-opt-military = Military
q-perpetrator_types-opt-intelligence = Intelligence services
q-perpetrator_types-opt-judiciary = Courts or prosecutors
q-perpetrator_types-opt-local_officials = Local officials
q-perpetrator_types-opt-national_officials = National officials
q-perpetrator_types-opt-pro_government_group = Pro-government group
q-perpetrator_types-opt-armed_group = Armed group
q-perpetrator_types-opt-private_individual = Private individual
q-perpetrator_types-opt-corporation = Company
q-perpetrator_types-opt-media = Media
q-perpetrator_types-opt-unknown = Unknown

q-narrative = What happened? Tell us in your own words.
q-narrative-help = Any language is fine. Write only what you are comfortable sharing.

q-current_risk = What is the situation now?
q-current_risk-help = Choose all that apply.
q-current_risk-opt-detained = Someone is detained
q-current_risk-opt-whereabouts_unknown = Someone's whereabouts are unknown
q-current_risk-opt-family_at_risk = Family members are at risk
q-current_risk-opt-devices_compromised = Phones or computers may be compromised
q-current_risk-opt-travel_blocked = Travel is blocked
q-current_risk-opt-court_date_pending = A court date is coming
q-current_risk-opt-none = None of these

q-help_needed = What help would be useful?
q-help_needed-help = Choose all that apply.
q-help_needed-opt-legal = Legal help
q-help_needed-opt-digital_security = Digital security
q-help_needed-opt-medical = Medical help
q-help_needed-opt-relocation = Relocation
q-help_needed-opt-advocacy = Advocacy
q-help_needed-opt-raise_with_un = Raise it with the UN
q-help_needed-opt-none = None

q-prior_reporting = Have you reported this elsewhere?
q-prior_reporting-help = Choose all that apply.
q-prior_reporting-opt-un = The UN
q-prior_reporting-opt-national_authority = A national authority
q-prior_reporting-opt-nhri = A national human rights institution
q-prior_reporting-opt-ngo = A non-governmental organisation
q-prior_reporting-opt-media = The media
q-prior_reporting-opt-none = Nowhere else

q-attachments = Files (optional)

q-identity_name = Your name (optional)
q-identity_contact_channel = How can we contact you? (optional)
q-identity_contact_channel-opt-email = Email
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Phone
q-identity_contact_channel-opt-other = Other
q-identity_contact = Your contact details (optional)
q-identity_contact-help = Only give a contact that is safe for you to use.

q-consent_informed_of_risks = I understand that any action on my case, even careful action, carries some risk.
q-consent_share_ohchr = My case may be passed to the UN team that deals with reprisals.
q-consent_raise_with_state = My case may be raised with the government concerned.
q-consent_sg_report = May my case appear in the UN Secretary-General's public report on reprisals?
q-consent_sg_report-opt-named = Yes, with names
q-consent_sg_report-opt-anonymous = Yes, but without names
q-consent_sg_report-opt-no = No
q-consent_share_protection_orgs = My case may be shared with organisations that protect defenders.
q-consent_contact_back = The reviewers may reply to me through this website.
q-consent_share_identity_un = My name and contact may be given to the UN.

opt-yes = Yes
opt-no = No
q-attachments-help = You can attach documents, photos, audio or video. Before storage we remove details inside files that could identify you: location, camera, author.
