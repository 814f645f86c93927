# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = Comment devons-nous traiter votre identité ?
q-anonymity-help = C’est vous qui choisissez. Quel que soit votre choix, votre signalement est chiffré avant d’être enregistré.
q-anonymity-opt-anonymous = Anonyme : ne me demandez pas qui je suis. Personne ne connaîtra mon nom.
q-anonymity-opt-confidential = Confidentiel : je peux donner mon nom et mes coordonnées, mais seuls quelques examinateurs de confiance pourront les voir, et ils ne seront jamais communiqués à d’autres.
q-anonymity-opt-consented = Avec consentement : je peux donner mon nom et mes coordonnées, et je peux autoriser leur communication à l’ONU.

q-reporter_relationship = Quel est votre lien avec la personne en danger ?
q-reporter_relationship-opt-self = Je suis la personne en danger
q-reporter_relationship-opt-family = Un membre de la famille
q-reporter_relationship-opt-colleague = Un ou une collègue
q-reporter_relationship-opt-organisation = Une organisation
q-reporter_relationship-opt-lawyer = Un avocat ou une avocate
q-reporter_relationship-opt-witness = Un témoin
q-reporter_relationship-opt-other = Autre

q-victim_type = Qui a été pris pour cible ?
q-victim_type-help = Choisissez toutes les réponses qui s’appliquent.
q-victim_type-opt-defender = Défenseur ou défenseuse des droits de l’homme
q-victim_type-opt-journalist = Journaliste
q-victim_type-opt-lawyer = Avocat ou avocate
q-victim_type-opt-victim_or_witness = Victime ou témoin d’une violation
q-victim_type-opt-relative = Proche d’un défenseur ou d’une victime
q-victim_type-opt-ngo = Organisation non gouvernementale
q-victim_type-opt-community = Communauté ou groupe
q-victim_type-opt-indigenous_representative = Représentant ou représentante de peuples autochtones
q-victim_type-opt-trade_unionist = Syndicaliste
q-victim_type-opt-nhri = Institution nationale des droits de l’homme
q-victim_type-opt-un_staff = Membre du personnel de l’ONU
q-victim_type-opt-other = Autre

q-country = Dans quel pays cela s’est-il passé ?

q-locality = Ville ou région (facultatif)
q-locality-help = Un petit lieu peut permettre de vous identifier. Laissez vide en cas de doute.

q-incident_date = Quand cela s’est-il passé ? (facultatif)
q-incident_date-help = Indiquez seulement ce que vous savez : l’année, le mois ou le jour exact.
q-incident_date-year = Année
q-incident_date-month = Mois
q-incident_date-day = Jour
q-incident_date-precision = Cette date est-elle sûre ?
q-incident_date-precision-exact = Date exacte
q-incident_date-precision-estimate = Date approximative
q-incident_date-precision-unknown = Je ne sais pas

q-ongoing = Est-ce que cela continue ?
q-ongoing-opt-yes = Oui
q-ongoing-opt-no = Non
q-ongoing-opt-unknown = Je ne sais pas

q-reprisal_types = Que s’est-il passé ?
q-reprisal_types-help = Choisissez toutes les réponses qui s’appliquent.
q-reprisal_types-opt-threats_harassment = Menaces ou harcèlement
q-reprisal_types-opt-death_threat = Menace de mort
q-reprisal_types-opt-smear_campaign = Campagne de dénigrement
q-reprisal_types-opt-online_harassment = Harcèlement en ligne
q-reprisal_types-opt-hacking_cyberattack = Piratage ou cyberattaque
q-reprisal_types-opt-physical_surveillance = Surveillance physique
q-reprisal_types-opt-digital_surveillance = Surveillance numérique
q-reprisal_types-opt-travel_ban = Interdiction de voyager
q-reprisal_types-opt-judicial_harassment = Harcèlement judiciaire ou poursuites
q-reprisal_types-opt-arbitrary_detention = Arrestation ou détention arbitraire
q-reprisal_types-opt-house_arrest = Assignation à résidence
q-reprisal_types-opt-enforced_disappearance = Disparition forcée
q-reprisal_types-opt-torture_ill_treatment = Torture ou mauvais traitements
q-reprisal_types-opt-physical_attack = Agression physique
q-reprisal_types-opt-killing = Meurtre
q-reprisal_types-opt-raid_search = Descente ou perquisition
q-reprisal_types-opt-confiscation_damage = Confiscation ou dégradation de biens
q-reprisal_types-opt-ngo_deregistration = Retrait de l’enregistrement d’une organisation
q-reprisal_types-opt-office_closure = Fermeture d’un bureau
q-reprisal_types-opt-restrictive_legislation = Lois restrictives
q-reprisal_types-opt-fines_asset_freeze = Amendes ou gel des avoirs
q-reprisal_types-opt-dismissal_disbarment = Licenciement ou radiation du barreau
q-reprisal_types-opt-deportation_exile = Expulsion ou exil forcé
q-reprisal_types-opt-deterred_from_cooperating = Empêchement de coopérer avec l’ONU
q-reprisal_types-opt-other = Autre

q-un_engagement = Cela a-t-il suivi un contact avec l’ONU ? Avec quelle partie ?
q-un_engagement-help = Choisissez toutes les réponses qui s’appliquent.
q-un_engagement-opt-hrc_session = Session du Conseil des droits de l’homme
q-un_engagement-opt-upr = Examen périodique universel
q-un_engagement-opt-special_procedures = Rapporteurs spéciaux ou autres procédures spéciales
q-un_engagement-opt-treaty_body = Un organe conventionnel
q-un_engagement-opt-ohchr_presence = Un bureau des droits de l’homme de l’ONU
q-un_engagement-opt-un_country_team = L’équipe de pays des Nations Unies
q-un_engagement-opt-peace_operation = Une opération de paix de l’ONU
q-un_engagement-opt-commission_of_inquiry = Une commission d’enquête
q-un_engagement-opt-security_council = Le Conseil de sécurité
q-un_engagement-opt-other_un_body = Un autre organe de l’ONU
q-un_engagement-opt-none = Aucune

q-un_engagement_detail = Précisions sur le contact avec l’ONU (facultatif)
q-un_engagement_detail-help = Par exemple la session, le mandat ou des numéros de référence.

q-perpetrator_types = Qui était responsable ?
q-perpetrator_types-help = Choisissez toutes les réponses qui s’appliquent.
q-perpetrator_types-opt-police = Police
q-perpetrator_types-opt-military = Armée
q-perpetrator_types-opt-intelligence = Services de renseignement
q-perpetrator_types-opt-judiciary = Tribunaux ou parquet
q-perpetrator_types-opt-local_officials = Autorités locales
q-perpetrator_types-opt-national_officials = Autorités nationales
q-perpetrator_types-opt-pro_government_group = Groupe progouvernemental
q-perpetrator_types-opt-armed_group = Groupe armé
q-perpetrator_types-opt-private_individual = Particulier
q-perpetrator_types-opt-corporation = Entreprise
q-perpetrator_types-opt-media = Médias
q-perpetrator_types-opt-unknown = Inconnu

q-narrative = Que s’est-il passé ? Racontez-le avec vos propres mots.
q-narrative-help = Vous pouvez écrire dans n’importe quelle langue. Écrivez seulement ce que vous souhaitez partager.

q-current_risk = Quelle est la situation maintenant ?
q-current_risk-help = Choisissez toutes les réponses qui s’appliquent.
q-current_risk-opt-detained = Quelqu’un est détenu
q-current_risk-opt-whereabouts_unknown = On ignore où se trouve quelqu’un
q-current_risk-opt-family_at_risk = Des membres de la famille sont en danger
q-current_risk-opt-devices_compromised = Des téléphones ou des ordinateurs sont peut-être compromis
q-current_risk-opt-travel_blocked = Impossible de voyager
q-current_risk-opt-court_date_pending = Une audience au tribunal approche
q-current_risk-opt-none = Aucune de ces situations

q-help_needed = Quelle aide vous serait utile ?
q-help_needed-help = Choisissez toutes les réponses qui s’appliquent.
q-help_needed-opt-legal = Aide juridique
q-help_needed-opt-digital_security = Sécurité numérique
q-help_needed-opt-medical = Aide médicale
q-help_needed-opt-relocation = Mise à l’abri dans un autre lieu
q-help_needed-opt-advocacy = Plaidoyer
q-help_needed-opt-raise_with_un = Porter la question devant l’ONU
q-help_needed-opt-none = Aucune

q-prior_reporting = Avez-vous signalé ces faits ailleurs ?
q-prior_reporting-help = Choisissez toutes les réponses qui s’appliquent.
q-prior_reporting-opt-un = L’ONU
q-prior_reporting-opt-national_authority = Une autorité nationale
q-prior_reporting-opt-nhri = Une institution nationale des droits de l’homme
q-prior_reporting-opt-ngo = Une organisation non gouvernementale
q-prior_reporting-opt-media = Les médias
q-prior_reporting-opt-none = Nulle part ailleurs

q-attachments = Fichiers (facultatif)

q-identity_name = Votre nom (facultatif)
q-identity_contact_channel = Comment pouvons-nous vous contacter ? (facultatif)
q-identity_contact_channel-opt-email = Courriel
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Téléphone
q-identity_contact_channel-opt-other = Autre
q-identity_contact = Vos coordonnées (facultatif)
q-identity_contact-help = Ne donnez qu’un moyen de contact que vous pouvez utiliser sans danger.

q-consent_informed_of_risks = Je comprends que toute action concernant mon cas, même prudente, comporte un certain risque.
q-consent_share_ohchr = Mon cas peut être transmis à l’équipe de l’ONU chargée des représailles.
q-consent_raise_with_state = Mon cas peut être soulevé auprès du gouvernement concerné.
q-consent_sg_report = Mon cas peut-il figurer dans le rapport public du Secrétaire général de l’ONU sur les représailles ?
q-consent_sg_report-opt-named = Oui, avec les noms
q-consent_sg_report-opt-anonymous = Oui, mais sans les noms
q-consent_sg_report-opt-no = Non
q-consent_share_protection_orgs = Mon cas peut être communiqué à des organisations qui protègent les défenseurs des droits de l’homme.
q-consent_contact_back = Les examinateurs peuvent me répondre par l’intermédiaire de ce site.
q-consent_share_identity_un = Mon nom et mes coordonnées peuvent être communiqués à l’ONU.

opt-yes = Oui
opt-no = Non
q-attachments-help = Vous pouvez joindre des documents, des photos, de l’audio ou de la vidéo. Avant l’enregistrement, nous retirons des fichiers les détails qui pourraient vous identifier : lieu, appareil photo, auteur.
